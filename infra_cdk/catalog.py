"""Every Lambda the stack deploys: handler, sizing and what it may touch. No CDK here.

REST functions come from ``agentplatform.api.domains``: one per domain, so a domain added
there is deployed without a change to this package. Access is least privilege by
default (table + value bucket); domains that need more are listed in ``REST_ACCESS``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from infra_cdk.config import FUNCTIONS_DIR


class Access(enum.Enum):
    TABLE_READ = "table:read"
    TABLE_WRITE = "table:write"  # implies read
    BUCKET_READ = "bucket:read"
    BUCKET_WRITE = "bucket:write"  # implies read
    CREDENTIALS_ENCRYPT = "kms:encrypt"  # envelope encryption: GenerateDataKey + Decrypt
    CREDENTIALS_DECRYPT = "kms:decrypt"
    RUN_START = "states:start"  # start (and describe) graph runs
    RUN_CONTROL = "states:control"  # start, stop, describe, list graph runs
    WEBSOCKET_POST = "websocket:post"  # post to / drop WebSocket connections
    SCHEDULES = "scheduler:manage"  # manage schedules in the platform's group
    PLATFORM_SECRETS = "secretsmanager:read"  # the PLATFORM_SECRETS_ARN secret (OAuth apps), if set
    SCHEDULES_DELETE = "scheduler:delete"  # delete schedules in the platform's group (stale ones)
    NOTIFY = "sqs:notify"  # SendMessage on the notifications queue (producers)
    SEND_EMAIL = "ses:send"  # SendEmail through the configured SES identity
    MEDIA_WRITE = "media:write"  # put, delete and sign public media (listing media, app logos)


DATA = frozenset({Access.TABLE_WRITE, Access.BUCKET_WRITE})

# REST domains that need more (or less) than DATA.
REST_ACCESS: dict[str, frozenset[Access]] = {
    "docs": frozenset(),  # serves /docs, /openapi.json and /health only
    "users": frozenset({Access.TABLE_WRITE}),
    # admin run analytics call a model with the platform's key (OPENAI_API_KEY, ...)
    "executions": DATA | {Access.RUN_CONTROL, Access.PLATFORM_SECRETS},
    # OAuth sign-in: states and credentials sealed with KMS, app secrets from Secrets Manager
    "integrations": frozenset({Access.TABLE_WRITE, Access.CREDENTIALS_ENCRYPT, Access.PLATFORM_SECRETS}),
    # blocks run with OAuth tokens refreshed (and re-sealed) before use
    "blocks": DATA | {Access.CREDENTIALS_ENCRYPT, Access.PLATFORM_SECRETS},
    "schedules": DATA | {Access.SCHEDULES},
    "graphs": DATA | {Access.SCHEDULES_DELETE},  # a deleted graph's schedules stop with it
    "webhooks": DATA | {Access.RUN_START},  # ingress starts the bound presets' runs
    "library": DATA | {Access.RUN_CONTROL},
    # starts and schedules runs, runs blocks with stored credentials, stores new credentials
    "external": DATA
    | {Access.RUN_CONTROL, Access.SCHEDULES, Access.CREDENTIALS_ENCRYPT, Access.PLATFORM_SECRETS},
    "api_keys": frozenset({Access.TABLE_WRITE}),
    "review": DATA | {Access.RUN_START},  # a decided review resumes its run as a new execution part
    # refund requests and refunds notify; Stripe's key and webhook secret are platform secrets
    "credits": frozenset({Access.TABLE_WRITE, Access.NOTIFY, Access.PLATFORM_SECRETS}),
    "store": DATA | {Access.NOTIFY, Access.MEDIA_WRITE},  # a review tells the creator; listing media
    # unsubscribe tokens and the webhook token live in the platform secret
    "email": frozenset({Access.TABLE_WRITE, Access.PLATFORM_SECRETS}),
    "oauth": frozenset({Access.TABLE_WRITE, Access.MEDIA_WRITE}),  # app logos
}


# REST domains that execute blocks in the request (``POST /api/blocks/{id}/execute``).
BLOCK_RUNNING_DOMAINS = frozenset({"blocks", "external"})
# REST domains that call third-party services themselves (OAuth token endpoints, a model
# for admin run analytics, Otto).
OUTBOUND_DOMAINS = frozenset({"integrations", "executions", "platform"})


class Kind(enum.Enum):
    REST = "rest"
    WEBSOCKET = "websocket"
    GRAPH_RUN = "graph_run"
    EVENTS = "events"
    SCHEDULES = "schedules"
    NOTIFICATIONS = "notifications"


@dataclass(frozen=True)
class FunctionSpec:
    key: str  # "<package>.<module>": unique, names the construct and the context knobs
    kind: Kind
    access: frozenset[Access]
    memory_mb: int = 512
    timeout_seconds: int = 30
    runs_blocks: bool = False  # blocks make outgoing requests (TRUST_ENDPOINTS_FOR_REQUESTS)
    outbound: bool = False  # makes outgoing requests itself (same settings as runs_blocks)

    @property
    def handler(self) -> str:
        return f"{self.key}.handler"

    @property
    def construct_id(self) -> str:
        return "".join(part.title() for part in self.key.replace(".", "_").split("_")) + "Function"

    @property
    def verifies_tokens(self) -> bool:
        return self.kind in (Kind.REST, Kind.WEBSOCKET)

    @property
    def async_invocations(self) -> bool:
        """Invoked (or re-driven) outside a request, so failures need a destination."""
        return self.kind in (Kind.GRAPH_RUN, Kind.EVENTS, Kind.SCHEDULES)


# API Gateway gives REST integrations 29 s; the handler must give up first.
REST_TIMEOUT = 28
# plan and finalize (the state machine's Task timeouts are derived from it)
GRAPH_RUN_STEP_TIMEOUT = 60


def rest_functions() -> list[FunctionSpec]:
    from agentplatform.api.domains import DOCS_DOMAIN, DOMAINS

    return [
        FunctionSpec(
            key=f"rest.{domain}",
            kind=Kind.REST,
            access=REST_ACCESS.get(domain, DATA),
            memory_mb=1024,  # FastAPI's import is CPU bound: more memory, faster cold start
            timeout_seconds=REST_TIMEOUT,
            runs_blocks=domain in BLOCK_RUNNING_DOMAINS,
            outbound=domain in OUTBOUND_DOMAINS,
        )
        for domain in (*DOMAINS, DOCS_DOMAIN)
    ]


def graph_run_functions(run_node_timeout: int) -> list[FunctionSpec]:
    table = Access.TABLE_WRITE
    return [
        # plan starts a fresh execution when the history budget is spent
        FunctionSpec(
            "graph_run.plan",
            Kind.GRAPH_RUN,
            frozenset({table, Access.RUN_START}),
            512,
            GRAPH_RUN_STEP_TIMEOUT,
        ),
        FunctionSpec(
            "graph_run.run_node",
            Kind.GRAPH_RUN,
            # sub-graph runs start executions; OAuth tokens are refreshed and re-sealed before use;
            # charges notify low and zero balances
            DATA | {Access.CREDENTIALS_ENCRYPT, Access.RUN_START, Access.PLATFORM_SECRETS, Access.NOTIFY},
            1024,
            run_node_timeout,
            runs_blocks=True,
        ),
        FunctionSpec(
            "graph_run.finalize",
            Kind.GRAPH_RUN,
            # a finished sub-graph's outputs become its parent node's; large ones spill to S3;
            # a finished run notifies (AGENT_RUN, BLOCK_EXECUTION_FAILED)
            DATA | {Access.RUN_START, Access.NOTIFY},
            512,
            GRAPH_RUN_STEP_TIMEOUT,
        ),
        # scheduled: ends runs whose execution is gone (as finalize does, so it notifies too),
        # starts waiting runs
        FunctionSpec(
            "graph_run.reconcile", Kind.GRAPH_RUN, DATA | {Access.RUN_START, Access.NOTIFY}, 512, 300
        ),
    ]


def websocket_functions() -> list[FunctionSpec]:
    table = frozenset({Access.TABLE_WRITE})
    return [
        FunctionSpec("websocket.connect", Kind.WEBSOCKET, table, 512, 10),
        FunctionSpec("websocket.disconnect", Kind.WEBSOCKET, table, 512, 10),
        # replies to subscribe/unsubscribe through the management API
        FunctionSpec("websocket.default", Kind.WEBSOCKET, table | {Access.WEBSOCKET_POST}, 512, 28),
    ]


def events_function() -> FunctionSpec:
    access = frozenset({Access.TABLE_WRITE, Access.BUCKET_READ, Access.WEBSOCKET_POST})
    return FunctionSpec("events.stream", Kind.EVENTS, access, 512, 60)


def schedule_functions() -> list[FunctionSpec]:
    """The EventBridge Scheduler target, once ``functions/schedules/run.py`` exists."""
    if not (FUNCTIONS_DIR / "schedules" / "run.py").exists():
        return []
    # starts runs (inputs may spill to the bucket); deletes schedules that went stale
    access = DATA | {Access.RUN_START, Access.SCHEDULES_DELETE}
    return [FunctionSpec("schedules.run", Kind.SCHEDULES, access, 512, 60)]


def notifications_function() -> FunctionSpec:
    """The notifications queue's consumer: preferences, batches, summaries, SES, WebSocket.
    NOTIFY: the scheduled tasks fan out onto the queue (one flush or summary per user)."""
    access = frozenset(
        {
            Access.TABLE_WRITE,
            Access.WEBSOCKET_POST,
            Access.SEND_EMAIL,
            Access.NOTIFY,
            Access.PLATFORM_SECRETS,
        }
    )
    return FunctionSpec("notifications.consumer", Kind.NOTIFICATIONS, access, 512, NOTIFICATIONS_TIMEOUT)


# The queue's visibility timeout is six times this (AWS's advice for SQS event sources).
NOTIFICATIONS_TIMEOUT = 60


def all_functions(run_node_timeout: int) -> list[FunctionSpec]:
    return [
        *rest_functions(),
        *graph_run_functions(run_node_timeout),
        *websocket_functions(),
        events_function(),
        *schedule_functions(),
        notifications_function(),
    ]
