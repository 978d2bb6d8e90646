"""The marketplace's items: profiles, listings, listing versions, reviews (docs/data-model.md).

  ``USER#<uid> | STOREPROFILE``      a creator's store profile (``doc``); GSI2 ``STOREPROFILES``
  ``USERNAME#<name> | CLAIM``        who holds a username (unique)
  ``SLUG#<uid>#<slug> | CLAIM``      which of the creator's listings holds a slug
  ``LISTING#<lid> | META``           a listing: ``doc`` (slug, graph, creator, a summary of
                                     every version, the active version's display fields),
                                     ``rev`` (optimistic lock on ``doc``) and the aggregates
                                     ``runs``, ``rating_sum``, ``rating_count`` (atomic ADDs);
                                     GSI1 ``OWNERLISTINGS#<uid>``, GSI2 ``STORELISTINGS``
  ``LISTINGV#<vid> | VERSION``       a listing version (a submission)
  ``LISTINGV#<vid> | REVIEW#<uid>``  a user's review of a listing version
  ``STOREINDEX | META``              the search index's sequence and published snapshot

A listing's id is derived from (creator, graph), so a graph's runs count towards its
listing without a lookup. Everything the store lists is a query of one GSI2 partition
(listings, profiles) projecting ``doc`` and the aggregates: one small attribute to parse
per listing. Repository methods take and return listings as flat dicts.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from agentplatform.errors import NotFoundError
from agentplatform.store import keys
from agentplatform.store.table import Table, check_op, delete_op, is_condition_failure, put_op, update_op

logger = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("0d3c5a4e-8f27-4a1b-9c66-5b2f3e7d9a10")
LISTING_TYPE = "store_listing"
VERSION_TYPE = "store_listing_version"
PROFILE_TYPE = "store_profile"
_LISTING_NATIVE = ("pk", "sk", "type", "rev", "runs", "rating_sum", "rating_count", "gsi1pk", "gsi1sk")
_DOC_ATTEMPTS = 3


def now() -> str:
    return datetime.now(UTC).isoformat()


def listing_id_for(owner_user_id: str, graph_id: str) -> str:
    """A creator has one listing per graph; its id is derived from the two."""
    return str(uuid.uuid5(_NAMESPACE, f"listing/{owner_user_id}/{graph_id}"))


def profile_id_for(user_id: str) -> str:
    """The public id of a creator's profile (their user id stays private)."""
    return str(uuid.uuid5(_NAMESPACE, f"profile/{user_id}"))


class ConflictError(ValueError):
    """A unique name (username, slug) is taken, or a concurrent change won."""


def _dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, separators=(",", ":"))


def _listing_from(stored: dict[str, Any]) -> dict[str, Any]:
    listing = json.loads(stored["doc"])
    for name in ("rev", "runs", "rating_sum", "rating_count"):
        listing[name] = int(stored.get(name) or 0)
    return listing


def rating_of(listing: dict[str, Any]) -> float:
    count = listing.get("rating_count") or 0
    return round(listing.get("rating_sum", 0) / count, 4) if count else 0.0


class MarketplaceRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # -- profiles

    def get_profile(self, user_id: str) -> dict[str, Any] | None:
        item = self.table.get(keys.user_pk(user_id), keys.STORE_PROFILE_SK, consistent=True)
        return json.loads(item["doc"]) if item else None

    def user_of(self, username: str) -> str | None:
        claim = self.table.get(keys.username_claim_pk(username), keys.CLAIM_SK)
        return claim["user_id"] if claim else None

    def save_profile(self, profile: dict[str, Any], previous_username: str | None) -> None:
        """Create or replace the profile; claiming a new username and releasing the old
        one in the same transaction, so two users can never hold one name."""
        user_id, username = profile["user_id"], profile["username"]
        ops = [
            put_op(
                {
                    "pk": keys.user_pk(user_id),
                    "sk": keys.STORE_PROFILE_SK,
                    "type": PROFILE_TYPE,
                    "doc": _dump(profile),
                    "gsi2pk": keys.STORE_PROFILES_GSI2PK,
                    "gsi2sk": username,
                }
            )
        ]
        if username != previous_username:
            ops.append(
                put_op(
                    {"pk": keys.username_claim_pk(username), "sk": keys.CLAIM_SK, "user_id": user_id},
                    "attribute_not_exists(pk)",
                )
            )
            if previous_username:
                ops.append(
                    delete_op(
                        keys.username_claim_pk(previous_username),
                        keys.CLAIM_SK,
                        "user_id = :me",
                        values={":me": user_id},
                    )
                )
        try:
            self.table.transact(ops)
        except Exception as exc:
            if is_condition_failure(exc):
                raise ConflictError(f"Username '{username}' is already taken") from exc
            raise

    def list_profiles(self) -> list[dict[str, Any]]:
        """Every store profile (one Query of the profiles' GSI2 partition)."""
        items = self.table.query(keys.STORE_PROFILES_GSI2PK, index="gsi2", attributes=("doc",))
        return [json.loads(item["doc"]) for item in items]

    def get_profiles(self, user_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        found = self.table.batch_get([(keys.user_pk(uid), keys.STORE_PROFILE_SK) for uid in set(user_ids)])
        return {profile["user_id"]: profile for profile in (json.loads(item["doc"]) for item in found)}

    # -- listings

    def get_listing(self, listing_id: str, *, consistent: bool = False) -> dict[str, Any] | None:
        stored = self.table.get(keys.listing_pk(listing_id), keys.LISTING_SK, consistent=consistent)
        return _listing_from(stored) if stored else None

    def get_listings(self, listing_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Listings in the order asked (one batch read per 100), missing ones left out."""
        found = self.table.batch_get([(keys.listing_pk(lid), keys.LISTING_SK) for lid in listing_ids])
        by_id = {listing["id"]: listing for listing in map(_listing_from, found)}
        return [by_id[lid] for lid in listing_ids if lid in by_id]

    def listings_of(self, user_id: str) -> list[dict[str, Any]]:
        """The creator's listings, oldest first (one Query of GSI1)."""
        items = self.table.query(
            keys.owner_listings_gsi1pk(user_id),
            index="gsi1",
            attributes=("doc", "rev", "runs", "rating_sum", "rating_count"),
        )
        return [_listing_from(item) for item in items]

    def all_listings(self) -> list[dict[str, Any]]:
        """Every listing that is not deleted (one Query of the listings' GSI2 partition)."""
        items = self.table.query(
            keys.STORE_LISTINGS_GSI2PK,
            index="gsi2",
            attributes=("doc", "rev", "runs", "rating_sum", "rating_count"),
        )
        return [_listing_from(item) for item in items]

    def listing_by_slug(self, user_id: str, slug: str) -> str | None:
        claim = self.table.get(keys.slug_claim_pk(user_id, slug), keys.CLAIM_SK)
        return claim["listing_id"] if claim else None

    @staticmethod
    def _listing_item(listing: dict[str, Any]) -> dict[str, Any]:
        doc = {name: value for name, value in listing.items() if name not in _LISTING_NATIVE}
        item: dict[str, Any] = {
            "pk": keys.listing_pk(listing["id"]),
            "sk": keys.LISTING_SK,
            "type": LISTING_TYPE,
            "doc": _dump(doc),
            "rev": listing.get("rev", 0),
            "gsi1pk": keys.owner_listings_gsi1pk(listing["owner_user_id"]),
            "gsi1sk": f"{listing['created_at']}#{listing['id']}",
        }
        if not listing.get("is_deleted"):
            item.update(gsi2pk=keys.STORE_LISTINGS_GSI2PK, gsi2sk=listing["id"])
        return item

    def create_listing(self, listing: dict[str, Any], version: dict[str, Any], graph_version: int) -> None:
        """The first submission of a graph: listing, version, slug claim and the graph's
        store marker in one transaction; the graph version must exist."""
        owner, graph_id = listing["owner_user_id"], listing["graph_id"]
        item = {**self._listing_item(listing), "runs": 0, "rating_sum": 0, "rating_count": 0}
        ops = [
            put_op(item, "attribute_not_exists(pk)"),
            put_op(self._version_item(version), "attribute_not_exists(pk)"),
            put_op(
                {
                    "pk": keys.slug_claim_pk(owner, listing["slug"]),
                    "sk": keys.CLAIM_SK,
                    "listing_id": listing["id"],
                },
                "attribute_not_exists(pk)",
            ),
            check_op(
                keys.user_pk(owner), keys.graph_version_sk(graph_id, graph_version), "attribute_exists(pk)"
            ),
            update_op(
                keys.user_pk(owner),
                keys.graph_meta_sk(graph_id),
                "SET store_listing_id = :lid",
                "attribute_exists(pk)",
                values={":lid": listing["id"]},
            ),
        ]
        try:
            self.table.transact(ops)
        except Exception as exc:
            if is_condition_failure(exc):
                raise ConflictError(_cancel_reason(exc, listing)) from exc
            raise

    def write_listing(
        self,
        listing: dict[str, Any],
        *,
        put_versions: Sequence[dict[str, Any]] = (),
        delete_versions: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Rewrite the listing's ``doc`` under its ``rev`` together with version changes
        (one transaction). ConflictError when the listing changed since it was read."""
        item = self._listing_item(listing)
        values: dict[str, Any] = {":doc": item["doc"], ":next": listing["rev"] + 1, ":rev": listing["rev"]}
        update = "SET doc = :doc, rev = :next"
        if listing.get("is_deleted"):  # off the store's GSI2 partition
            update += " REMOVE gsi2pk, gsi2sk"
        ops = [
            update_op(
                keys.listing_pk(listing["id"]),
                keys.LISTING_SK,
                update,
                "rev = :rev",
                values=values,
            ),
            *(put_op(self._version_item(version)) for version in put_versions),
            *(delete_op(keys.listing_version_pk(vid), keys.LISTING_VERSION_SK) for vid in delete_versions),
        ]
        try:
            self.table.transact(ops)
        except Exception as exc:
            if is_condition_failure(exc):
                raise ConflictError("The listing was changed concurrently; retry") from exc
            raise
        return {**listing, "rev": listing["rev"] + 1}

    def delete_listing(self, listing: dict[str, Any], version_id: str) -> None:
        """Remove a listing whose last version goes: listing, version and slug claim."""
        try:
            self.table.transact(
                [
                    delete_op(
                        keys.listing_pk(listing["id"]),
                        keys.LISTING_SK,
                        "rev = :rev",
                        values={":rev": listing["rev"]},
                    ),
                    delete_op(keys.listing_version_pk(version_id), keys.LISTING_VERSION_SK),
                    delete_op(keys.slug_claim_pk(listing["owner_user_id"], listing["slug"]), keys.CLAIM_SK),
                ]
            )
        except Exception as exc:
            if is_condition_failure(exc):
                raise ConflictError("The listing was changed concurrently; retry") from exc
            raise
        self.clear_graph_marker(listing["owner_user_id"], listing["graph_id"])

    def clear_graph_marker(self, owner_user_id: str, graph_id: str) -> None:
        try:
            self.table.update(
                keys.user_pk(owner_user_id),
                keys.graph_meta_sk(graph_id),
                "REMOVE store_listing_id",
                condition="attribute_exists(pk)",
            )
        except Exception as exc:
            if not is_condition_failure(exc):  # the graph is gone already
                raise

    def count_run(self, listing_id: str) -> None:
        """One more run of the listing's graph (atomic; never fails a run)."""
        try:
            self.table.update(
                keys.listing_pk(listing_id),
                keys.LISTING_SK,
                "ADD runs :one",
                condition="attribute_exists(pk)",
                values={":one": 1},
            )
        except Exception as exc:
            if not is_condition_failure(exc):
                logger.warning("run count of listing %s not updated: %s", listing_id, exc)

    # -- versions

    @staticmethod
    def _version_item(version: dict[str, Any]) -> dict[str, Any]:
        return {
            "pk": keys.listing_version_pk(version["id"]),
            "sk": keys.LISTING_VERSION_SK,
            "type": VERSION_TYPE,
            **version,
        }

    def get_version(self, version_id: str, *, consistent: bool = False) -> dict[str, Any] | None:
        item = self.table.get(
            keys.listing_version_pk(version_id), keys.LISTING_VERSION_SK, consistent=consistent
        )
        return _plain(item) if item else None

    def get_versions(self, version_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        found = self.table.batch_get(
            [(keys.listing_version_pk(vid), keys.LISTING_VERSION_SK) for vid in version_ids]
        )
        return {item["id"]: _plain(item) for item in found}

    # -- reviews

    def get_review(self, version_id: str, user_id: str) -> dict[str, Any] | None:
        pk, sk = keys.listing_version_pk(version_id), keys.store_review_sk(user_id)
        item = self.table.get(pk, sk, consistent=True)
        return _plain(item) if item else None

    def put_review(self, listing_id: str, review: dict[str, Any], previous: dict[str, Any] | None) -> None:
        """Create or replace a user's review and move the listing's rating sums by the
        difference, in one transaction guarded on the review's previous score."""
        version_id, user_id = review["store_listing_version_id"], review["user_id"]
        if previous is None:
            condition, values = "attribute_not_exists(pk)", {}
            delta_sum, delta_count = review["score"], 1
        else:
            condition, values = "score = :old", {":old": previous["score"]}
            delta_sum, delta_count = review["score"] - previous["score"], 0
        item = {
            "pk": keys.listing_version_pk(version_id),
            "sk": keys.store_review_sk(user_id),
            "type": "store_review",
            **review,
        }
        try:
            self.table.transact(
                [
                    put_op(item, condition, values=values or None),
                    update_op(
                        keys.listing_pk(listing_id),
                        keys.LISTING_SK,
                        "ADD rating_sum :sum, rating_count :count",
                        "attribute_exists(pk)",
                        values={":sum": delta_sum, ":count": delta_count},
                    ),
                ]
            )
        except Exception as exc:
            if is_condition_failure(exc):
                raise ConflictError("The review was changed concurrently; retry") from exc
            raise

    # -- library agents added from a listing

    def listing_agents(self, listing_id: str) -> Iterator[tuple[str, str]]:
        """(pk, sk) of every library agent added from the listing (GSI1)."""
        for item in self.table.query(keys.listing_agents_gsi1pk(listing_id), index="gsi1", keys_only=True):
            yield item["pk"], item["sk"]

    def raise_latest_version(self, agent_key: tuple[str, str], version: int) -> None:
        """The newest approved graph version of the agent's listing, if it grew."""
        try:
            self.table.update(
                *agent_key,
                "SET listing_latest_version = :v",
                condition="attribute_exists(pk) AND "
                "(attribute_not_exists(listing_latest_version) OR listing_latest_version < :v)",
                values={":v": version},
            )
        except Exception as exc:
            if not is_condition_failure(exc):
                raise

    # -- the search index's sequence

    def index_state(self) -> dict[str, Any]:
        return self.table.get(keys.STORE_INDEX_PK, keys.STORE_INDEX_SK, consistent=True) or {}

    def next_index_seq(self) -> int:
        """Announce a change to what the store lists: the next index sequence number."""
        item = self.table.update(keys.STORE_INDEX_PK, keys.STORE_INDEX_SK, "ADD seq :one", values={":one": 1})
        return int(item["seq"])

    def claim_index_refresh(self, until: str) -> bool:
        """Only one Lambda rebuilds a stale index at a time."""
        try:
            self.table.update(
                keys.STORE_INDEX_PK,
                keys.STORE_INDEX_SK,
                "SET refreshing_until = :until",
                condition="attribute_not_exists(refreshing_until) OR refreshing_until < :now",
                values={":until": until, ":now": now()},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def publish_index(self, seq: int, key: str) -> bool:
        """Record the snapshot built for ``seq`` unless one for a later sequence was."""
        try:
            self.table.update(
                keys.STORE_INDEX_PK,
                keys.STORE_INDEX_SK,
                "SET published_seq = :seq, snapshot_key = :key, published_at = :at REMOVE refreshing_until",
                condition="attribute_not_exists(published_seq) OR published_seq <= :seq",
                values={":seq": seq, ":key": key, ":at": now()},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in ("pk", "sk", "type")}


def _cancel_reason(exc: Exception, listing: dict[str, Any]) -> str:
    """Which condition of a listing's creation failed (DynamoDB lists them in order)."""
    reasons = [r.get("Code") for r in getattr(exc, "response", {}).get("CancellationReasons", [])]
    if len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed":
        return (
            f"The URL slug '{listing['slug']}' is already in use by another one of your agents. "
            "Please choose a different slug."
        )
    if any(code == "ConditionalCheckFailed" for code in reasons[3:]):
        raise NotFoundError(f"Agent #{listing['graph_id']} not found.") from exc
    return "The listing was created concurrently; retry"


class BuilderSearchRepository:
    """The searches a user made in the builder's block menu (kept 30 days)."""

    TTL_SECONDS = 30 * 24 * 3600

    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def save(self, user_id: str, search_id: str, entry: dict[str, Any]) -> None:
        at = datetime.now(UTC)
        self.table.put(
            {
                "pk": keys.user_pk(user_id),
                "sk": keys.builder_search_sk(search_id),
                "type": "builder_search",
                "search_id": search_id,
                "doc": _dump(entry),
                "updated_at": at.isoformat(),
                "ttl": int(at.timestamp()) + self.TTL_SECONDS,
            }
        )

    def recent(self, user_id: str, limit: int) -> list[dict[str, Any]]:
        items = self.table.query(keys.user_pk(user_id), prefix=keys.BUILDER_SEARCH_PREFIX)
        newest = sorted(items, key=lambda item: item["updated_at"], reverse=True)[:limit]
        return [{**json.loads(item["doc"]), "search_id": item["search_id"]} for item in newest]
