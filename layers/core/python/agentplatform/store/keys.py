"""Key builders for the single table. Every pk/sk in the system is made here.

Everything a user owns lives in that user's partition (``USER#<id>``), so a query for
another user's id cannot even address their items: ownership is structural.
"""

from __future__ import annotations

import zlib

PROFILE = "PROFILE"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def graph_meta_sk(graph_id: str) -> str:
    return f"GRAPH#{graph_id}"


GRAPH_META_PREFIX = "GRAPH#"


def graph_version_sk(graph_id: str, version: int) -> str:
    # Zero-padded so versions sort numerically within the partition.
    return f"GRAPHV#{graph_id}#{version:08d}"


def graph_versions_prefix(graph_id: str) -> str:
    return f"GRAPHV#{graph_id}#"


CREDENTIALS_PREFIX = "CRED#"


def credentials_sk(credentials_id: str) -> str:
    return f"{CREDENTIALS_PREFIX}{credentials_id}"


def oauth_state_sk(token_digest: str) -> str:
    """A pending OAuth login in its user's partition, keyed by a digest of the state token."""
    return f"OAUTHSTATE#{token_digest}"


# Graph executions: each run is one partition, so its items (the run, its node
# executions, its sinks' routing state) stream in order and one query reads them all.
# The owner's id is in the key, so another user's id cannot address the run.
def graph_exec_pk(user_id: str, graph_exec_id: str) -> str:
    return f"GEXEC#{user_id}#{graph_exec_id}"


def parse_graph_exec_pk(pk: str) -> tuple[str, str]:
    """(user id, graph execution id) of a run partition key."""
    _, user_id, graph_exec_id = pk.split("#", 2)
    return user_id, graph_exec_id


GRAPH_EXEC_SK = "RUN"
NODE_EXEC_PREFIX = "NEXEC#"
SINK_STATE_PREFIX = "SINK#"
CHILD_EXEC_PREFIX = "CHILD#"


def node_exec_sk(node_exec_id: str) -> str:
    return f"{NODE_EXEC_PREFIX}{node_exec_id}"


def sink_state_sk(node_id: str) -> str:
    return f"{SINK_STATE_PREFIX}{node_id}"


def child_exec_sk(child_exec_id: str) -> str:
    return f"{CHILD_EXEC_PREFIX}{child_exec_id}"


def user_execs_gsi1pk(user_id: str) -> str:
    return f"GEXECS#{user_id}"


def graph_execs_gsi2pk(user_id: str, graph_id: str) -> str:
    return f"GEXECS#{user_id}#{graph_id}"


def execs_gsi_sk(created_at: str, graph_exec_id: str) -> str:
    return f"{created_at}#{graph_exec_id}"


def share_pk(share_token: str) -> str:
    return f"SHARE#{share_token}"


SHARE_SK = "SHARE"


def kv_sk(key: str) -> str:
    """Persist/Retrieve blocks' per-user value (in the user's partition)."""
    return f"KV#{key}"


def spilled_value_key(graph_exec_id: str, value_id: str) -> str:
    """S3 object key of a value too large for the table."""
    return f"values/{graph_exec_id}/{value_id}.json"


# ------------------------------------------------- WebSocket connections and events

CONNECTION_SK = "META"
EVENT_LOG_HEAD_SK = "HEAD"
EVENT_SEQ_PREFIX = "SEQ#"
SUBSCRIPTION_PREFIX = "WSCONN#"
# In a channel's partition, beside its subscriptions: how many connections watch it.
CHANNEL_WATCH_SK = "WATCH"


def connection_pk(connection_id: str) -> str:
    return f"WSCONN#{connection_id}"


def channel_pk(channel: str) -> str:
    """Subscribers of one channel; the channel key already starts with the user id."""
    return f"WSCHAN#{channel}"


def subscription_sk(connection_id: str) -> str:
    return f"{SUBSCRIPTION_PREFIX}{connection_id}"


def event_log_pk(user_id: str, graph_exec_id: str) -> str:
    """A run's replay buffer, addressable only together with its owner's id."""
    return f"EVLOG#{user_id}#{graph_exec_id}"


def event_seq_sk(seq: int) -> str:
    # Zero-padded so a range condition on the sort key is a range of sequence numbers.
    return f"{EVENT_SEQ_PREFIX}{seq:012d}"


# ------------------------------------------------- API keys, OAuth provider, request guards

API_KEY_PREFIX = "APIKEY#"


def api_key_sk(key_id: str) -> str:
    """An API key lives in its owner's partition."""
    return f"{API_KEY_PREFIX}{key_id}"


def api_key_lookup_gsi1pk(lookup: str) -> str:
    """GSI1 bucket of the keys sharing a lookup prefix (in practice one key)."""
    return f"APIKEYLOOKUP#{lookup}"


OAUTH_APP_PREFIX = "OAUTHAPP#"


def oauth_app_sk(app_id: str) -> str:
    """An OAuth application lives in its owner's partition."""
    return f"{OAUTH_APP_PREFIX}{app_id}"


def oauth_client_gsi1pk(client_id: str) -> str:
    return f"OAUTHCLIENT#{client_id}"


OAUTH_CLIENT_GSI1SK = "APP"


def oauth_code_pk(code_hash: str) -> str:
    """Authorization codes and tokens are addressed by the SHA-256 of their value."""
    return f"OAUTHCODE#{code_hash}"


OAUTH_CODE_SK = "CODE"


def oauth_token_pk(token_hash: str) -> str:
    return f"OAUTHTOKEN#{token_hash}"


OAUTH_ACCESS_TOKEN_SK = "ACCESS"
OAUTH_REFRESH_TOKEN_SK = "REFRESH"


def idempotency_sk(key: str) -> str:
    """An ``Idempotency-Key`` record, in the caller's partition: keys are per user."""
    return f"IDEM#{key}"


def rate_limit_pk(subject: str) -> str:
    return f"RATE#{subject}"


def rate_window_sk(window_start: int) -> str:
    return f"WINDOW#{window_start}"


# ------------------------------------------------- library: agents and run presets
# Both live in the owner's partition, so another user's id addresses nothing.
LIBRARY_AGENT_PREFIX = "LIBAGENT#"
PRESET_PREFIX = "PRESET#"


def library_agent_sk(library_agent_id: str) -> str:
    return f"{LIBRARY_AGENT_PREFIX}{library_agent_id}"


def preset_sk(preset_id: str) -> str:
    return f"{PRESET_PREFIX}{preset_id}"


# ------------------------------------------------------------- credits (store/credits.py)

CREDIT_SK = "CREDIT"  # the balance item, in the user's partition
CREDIT_TX_PREFIX = "CTX#"
REFUND_PREFIX = "REFUND#"
CREDIT_ADMIN_LOG_GSI2PK = "CTXLOG"  # every non-usage ledger entry, for the admin history
STRIPE_SK = "STRIPE"


def credit_tx_sk(transaction_key: str) -> str:
    """A ledger entry: keyed by its transaction key, so a key can never apply twice."""
    return f"{CREDIT_TX_PREFIX}{transaction_key}"


def credit_history_gsi1pk(user_id: str, *, active: bool = True) -> str:
    """A user's ledger in time order (gsi1); pending (inactive) top-ups apart."""
    return f"CTXS#{user_id}" if active else f"CTXPENDING#{user_id}"


def credit_history_gsi_sk(created_at: str, transaction_key: str) -> str:
    return f"{created_at}#{transaction_key}"


def execution_count_sk(day: str) -> str:
    """The user's node-execution counter for one UTC day (the every-Nth-execution charge)."""
    return f"EXECS#{day}"


def refund_sk(refund_id: str) -> str:
    return f"{REFUND_PREFIX}{refund_id}"


def stripe_object_pk(object_id: str) -> str:
    """A Stripe checkout session or payment intent -> its owner and ledger entry (webhooks
    name the Stripe object, not the user)."""
    return f"STRIPEOBJ#{object_id}"


def stripe_event_pk(event_id: str) -> str:
    """A processed webhook event: a replay finds it and does nothing."""
    return f"STRIPEEVT#{event_id}"


# ------------------------------------------------- schedules
# A schedule lives in its owner's partition; gsi1 groups a user's schedules by graph.
SCHEDULE_PREFIX = "SCHEDULE#"


def schedule_sk(schedule_id: str) -> str:
    return f"{SCHEDULE_PREFIX}{schedule_id}"


def graph_schedules_gsi1pk(user_id: str, graph_id: str) -> str:
    return f"SCHEDULES#{user_id}#{graph_id}"


# ------------------------------------------------- webhooks
# Ingress carries only the webhook id, so a webhook is its own partition (the owner is
# on the item). Presets bound to a webhook are found on gsi2 (``WEBHOOK#<id>``).
WEBHOOK_SK = "WEBHOOK"


def webhook_pk(webhook_id: str) -> str:
    return f"WEBHOOK#{webhook_id}"


def webhook_presets_gsi2pk(webhook_id: str) -> str:
    return f"WEBHOOK#{webhook_id}"


# ------------------------------------------------- run admission and reconciliation

# Runs in flight are spread over this many index partitions (the reconciler reads all).
ACTIVE_RUN_SHARDS = 4


def active_run_gsi3pk(graph_exec_id: str) -> str:
    return f"ACTIVE#{zlib.crc32(graph_exec_id.encode()) % ACTIVE_RUN_SHARDS}"


def active_run_shards() -> list[str]:
    return [f"ACTIVE#{shard}" for shard in range(ACTIVE_RUN_SHARDS)]


def active_run_gsi3sk(created_at: str, graph_exec_id: str) -> str:
    return f"{created_at}#{graph_exec_id}"


def run_queue_pk(user_id: str, graph_id: str) -> str:
    """One (user, graph)'s run slots and its runs waiting for one, oldest first."""
    return f"RUNQ#{user_id}#{graph_id}"


RUN_SLOTS_SK = "SLOTS"
WAITING_RUN_PREFIX = "WAIT#"


def waiting_run_sk(created_at: str, graph_exec_id: str) -> str:
    return f"{WAITING_RUN_PREFIX}{created_at}#{graph_exec_id}"


# ------------------------------------------- graph runs: queued work spilled past a payload

WORK_CHUNK_PREFIX = "WORK#"


def work_chunk_sk(chunk_id: str) -> str:
    return f"{WORK_CHUNK_PREFIX}{chunk_id}"


# ------------------------------------------------- human review (HITL)
# A review lives in its run's partition (the run's reviews are one consistent query),
# with a pointer in its owner's partition: a review action names node executions only,
# and one batch read of pointers finds (and owns) their runs. While WAITING it carries
# gsi1 keys, so a user's pending reviews are one query (newest first).
REVIEW_PREFIX = "REVIEW#"
AUTO_APPROVE_PREFIX = "AUTOAPPROVE#"


def review_sk(node_exec_id: str) -> str:
    return f"{REVIEW_PREFIX}{node_exec_id}"


def auto_approve_sk(node_id: str) -> str:
    """A run's standing approval of one node (``auto_approve_future``)."""
    return f"{AUTO_APPROVE_PREFIX}{node_id}"


def review_pointer_sk(node_exec_id: str) -> str:
    return f"{REVIEW_PREFIX}{node_exec_id}"


def waiting_reviews_gsi1pk(user_id: str) -> str:
    return f"REVIEWS#{user_id}"


def waiting_reviews_gsi1sk(created_at: str, node_exec_id: str) -> str:
    return f"{created_at}#{node_exec_id}"


# ------------------------------------------------- notifications and email (store/notifications.py)
NOTIFY_CLAIM_PREFIX = "NOTIFY#"
NOTIFY_BATCH_PREFIX = "NOTIFYBATCH#"


def notification_claim_sk(event_id: str) -> str:
    """A notification event being or having been handled, in its user's partition."""
    return f"{NOTIFY_CLAIM_PREFIX}{event_id}"


def notification_batch_sk(kind: str) -> str:
    """The head of the user's open batch of one notification type."""
    return f"{NOTIFY_BATCH_PREFIX}{kind}"


def notification_batch_events_prefix(kind: str) -> str:
    return f"{NOTIFY_BATCH_PREFIX}{kind}#"


def notification_batch_event_sk(kind: str, created_at: str, event_id: str) -> str:
    # Sorted by time within the batch, so the email lists events in order.
    return f"{notification_batch_events_prefix(kind)}{created_at}#{event_id}"


def due_batches_gsi1pk(kind: str) -> str:
    """Every open batch of one type, by the time its oldest event arrived (gsi1)."""
    return f"NOTIFYDUE#{kind}"


def due_batches_gsi1sk(oldest: str, user_id: str) -> str:
    return f"{oldest}#{user_id}"


def active_users_pk(day: str) -> str:
    """Users who finished a run on one UTC day: the daily and weekly summaries' recipients."""
    return f"NOTIFYACTIVE#{day}"


def active_user_sk(user_id: str) -> str:
    return f"USER#{user_id}"


def email_suppression_pk(address_digest: str) -> str:
    """An address that bounced or complained, by the SHA-256 of its lower-cased form."""
    return f"EMAILSUPPRESS#{address_digest}"


EMAIL_SUPPRESSION_SK = "SUPPRESSION"


def user_connections_gsi1pk(user_id: str) -> str:
    """A user's open WebSocket connections (gsi1 on the connection item)."""
    return f"WSUSER#{user_id}"


# ------------------------------------------------ platform services (uploads, onboarding, analytics)

UPLOADS_PREFIX = "uploads/"
ONBOARDING_SK = "ONBOARDING"  # a user's onboarding state, in their partition
ANALYTICS_METRIC_PREFIX = "AMETRIC#"
ANALYTICS_EVENT_PREFIX = "AEVENT#"


def upload_object_key(expiry_days: int, user_id: str, file_id: str, file_name: str) -> str:
    """S3 key of an uploaded file. The ``<n>d/`` segment selects the bucket lifecycle rule
    that deletes it; the owner's id is in the key, so reads can check ownership from it."""
    return f"{UPLOADS_PREFIX}{expiry_days}d/users/{user_id}/{file_id}/{file_name}"


def upload_owner(object_key: str) -> str | None:
    """The owner's id in an upload key, or None if the key is not an upload's."""
    parts = object_key.split("/")
    if len(parts) != 6 or f"{parts[0]}/" != UPLOADS_PREFIX or parts[2] != "users":
        return None
    return parts[3] or None


def analytics_metric_sk(created_at: str, record_id: str) -> str:
    return f"{ANALYTICS_METRIC_PREFIX}{created_at}#{record_id}"


def analytics_event_sk(created_at: str, record_id: str) -> str:
    return f"{ANALYTICS_EVENT_PREFIX}{created_at}#{record_id}"


# Admin run analytics: every run of a graph across users (gsi4, keys only, set on run
# items), and the correctness score of each analysed run, one partition per graph.
def graph_runs_gsi4pk(graph_id: str) -> str:
    return f"GRAPHRUNS#{graph_id}"


def run_score_pk(graph_id: str) -> str:
    return f"RUNSCORES#{graph_id}"


def run_score_sk(created_at: str, graph_exec_id: str) -> str:
    return f"{created_at}#{graph_exec_id}"


# Public media: an OAuth app's logo (POST /api/oauth/apps/{app_id}/logo/upload).
def oauth_app_logo_prefix(app_id: str) -> str:
    return f"oauth-apps/{app_id}/logo/"


# ------------------------------------------------- marketplace (the store)
# A listing is one per (creator, graph): its id is derived, so the graph's runs and the
# creator's resubmissions find it without a lookup. Its versions are items of their own,
# addressed by id (every store route names a listing version).
STORE_PROFILE_SK = "STOREPROFILE"
CLAIM_SK = "CLAIM"
LISTING_SK = "META"
LISTING_VERSION_SK = "VERSION"
STORE_REVIEW_PREFIX = "REVIEW#"  # in a listing version's partition
# GSI partitions that list what the store shows: every listing, every profile.
STORE_LISTINGS_GSI2PK = "STORELISTINGS"
STORE_PROFILES_GSI2PK = "STOREPROFILES"
STORE_INDEX_PK = "STOREINDEX"
STORE_INDEX_SK = "META"


def username_claim_pk(username: str) -> str:
    """Who holds a store username (usernames are unique, lowercase)."""
    return f"USERNAME#{username}"


def slug_claim_pk(user_id: str, slug: str) -> str:
    """A creator's listing slugs are unique per creator."""
    return f"SLUG#{user_id}#{slug}"


def listing_pk(listing_id: str) -> str:
    return f"LISTING#{listing_id}"


def listing_version_pk(listing_version_id: str) -> str:
    return f"LISTINGV#{listing_version_id}"


def owner_listings_gsi1pk(user_id: str) -> str:
    return f"OWNERLISTINGS#{user_id}"


def listing_agents_gsi1pk(listing_id: str) -> str:
    """Library agents added from a listing (to keep their latest version current)."""
    return f"LISTINGAGENTS#{listing_id}"


def store_review_sk(user_id: str) -> str:
    return f"{STORE_REVIEW_PREFIX}{user_id}"


def store_media_key(user_id: str, file_name: str) -> str:
    """S3 key of an uploaded listing image or video."""
    return f"store-media/{user_id}/{file_name}"


def store_index_key(seq: int, unique: str) -> str:
    """S3 key of a search index snapshot built for index sequence ``seq``."""
    return f"store-index/{seq:012d}-{unique}.tar"


BUILDER_SEARCH_PREFIX = "BSEARCH#"


def builder_search_sk(search_id: str) -> str:
    """A builder block-menu search the user made (recent searches), in their partition."""
    return f"{BUILDER_SEARCH_PREFIX}{search_id}"
