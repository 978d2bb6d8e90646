"""Configuration from environment variables, with safe defaults for the local cloud.

Names follow AutoGPT where one exists (``JWT_VERIFY_KEY``, ``ENABLE_AUTH``, ...).
Settings are read once per process; tests call ``get_settings.cache_clear()``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

DEFAULT_USER_ID = "3e53486c-cf57-477e-ba2a-cb02dc828e1a"


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _overrides(name: str) -> dict[str, str]:
    """``host=origin`` pairs, comma-separated; the origin's path, if any, is ignored."""
    pairs: dict[str, str] = {}
    for part in _csv(name):
        host, sep, origin = part.partition("=")
        if not sep or "://" not in origin or not host.strip():
            raise ValueError(f"{name}: expected host=scheme://host[:port], got {part!r}")
        pairs[host.strip().lower()] = origin.strip().rstrip("/")
    return pairs


def _positive_int(name: str) -> int | None:
    """A positive integer setting; unset or empty is None (off)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    value = int(raw)
    if value < 1:
        raise ValueError(f"{name}: expected a positive integer, got {raw!r}")
    return value


def _optional_float(name: str) -> float | None:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else None


def _choice(name: str, allowed: tuple[str, ...]) -> str:
    """One of ``allowed`` (the first is the default)."""
    value = os.environ.get(name, "").strip().lower() or allowed[0]
    if value not in allowed:
        raise ValueError(f"{name}: expected one of {', '.join(allowed)}, got {value!r}")
    return value


def _csv(name: str, default: str = "") -> tuple[str, ...]:
    raw = os.environ.get(name, default)
    return tuple(part.strip() for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    table_name: str = "agentplatform"
    bucket_name: str = "agentplatform-values"
    enable_auth: bool = True
    jwt_verify_key: str = ""
    jwt_algorithms: tuple[str, ...] = ("HS256",)
    jwt_jwks_url: str = ""
    jwt_audience: str = "authenticated"
    cors_allow_origins: tuple[str, ...] = ()
    trust_endpoints_for_requests: tuple[str, ...] = ()
    outbound_host_overrides: dict[str, str] = field(default_factory=dict)
    frontend_base_url: str = "http://localhost:3000"
    # Origins an external app's OAuth callback_url may have (upstream's default).
    external_oauth_callback_origins: tuple[str, ...] = ("http://localhost:3000",)
    state_machine_arn: str = ""
    websocket_callback_url: str = ""
    event_replay_hours: float = 24.0
    # API keys and the external API: requests per key (or OAuth grant) per minute; None = off.
    api_key_rate_limit_per_minute: int | None = None
    # Secrets Manager secret (JSON object) holding platform secrets such as GOOGLE_CLIENT_SECRET
    platform_secrets_arn: str = ""
    # Blocks that wait on a service's job (Replicate, revid, Firecrawl); see blocks/service_http.py
    service_poll_interval_seconds: float | None = None  # None: each service's own interval
    service_poll_timeout_seconds: float = 180.0
    # -- credits (AutoGPT's names; docs: README configuration table)
    enable_credit: bool = False
    enable_beta_monthly_credit: bool = True
    num_user_credits_refill: int = 1500
    refund_credit_tolerance_threshold: int = 500
    execution_cost_count_threshold: int = 100
    execution_cost_per_threshold: int = 1
    # -- schedules (EventBridge Scheduler) and webhook triggers
    schedule_group_name: str = ""
    schedule_target_arn: str = ""
    scheduler_role_arn: str = ""
    schedule_dlq_arn: str = ""
    platform_base_url: str = ""
    webhook_payload_max_bytes: int = 262_144
    # Run lifecycle: every run ends, and one user's graph cannot flood the engine.
    max_node_executions_per_run: int = 10_000
    max_concurrent_graph_executions_per_user: int = 25
    reconcile_grace_seconds: float = 120.0
    # -- notifications and email (docs/notifications.md); secrets via platform_secret()
    notifications_queue_url: str = ""  # empty: producers publish nothing
    email_transport: str = "ses"  # ses | outbox | none
    email_outbox_dir: str = ".local/outbox"
    email_from_address: str = "AutoGPT Platform <noreply@localhost>"
    ses_configuration_set: str = ""
    refund_notification_email: str = ""
    low_balance_threshold: int = 500
    # -- platform services: uploads, analytics, Otto (README configuration table)
    upload_file_size_limit_mb: int = 256
    upload_malware_scan: str = "none"  # "guardduty": uploads wait for GuardDuty's clean tag
    analytics_retention_days: int = 365
    otto_api_url: str = ""
    # Public media (store listing media, OAuth app logos; store/media.py): kept in
    # media_bucket_name (default: the values bucket); URLs at media_base_url, a public
    # origin in front of it (default: API routes redirecting to signed URLs).
    media_bucket_name: str = ""
    media_base_url: str = ""
    # The marketplace (store): uploads, image generation, search index age.
    media_upload_max_mb: int = 4
    ideogram_api_key: str = ""
    store_index_max_age_seconds: int = 900


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ
    return Settings(
        table_name=env.get("TABLE_NAME", "agentplatform"),
        bucket_name=env.get("BUCKET_NAME", "agentplatform-values"),
        enable_auth=_flag("ENABLE_AUTH", True),
        # AutoGPT falls back to the Supabase secret when no explicit key is set.
        jwt_verify_key=(env.get("JWT_VERIFY_KEY") or env.get("SUPABASE_JWT_SECRET") or "").strip(),
        jwt_algorithms=_csv("JWT_SIGN_ALGORITHM", "HS256"),
        jwt_jwks_url=env.get("JWT_JWKS_URL", "").strip(),
        jwt_audience=env.get("JWT_AUDIENCE", "authenticated"),
        cors_allow_origins=_csv("BACKEND_CORS_ALLOW_ORIGINS"),
        trust_endpoints_for_requests=_csv("TRUST_ENDPOINTS_FOR_REQUESTS"),
        outbound_host_overrides=_overrides("OUTBOUND_HOST_OVERRIDES"),
        frontend_base_url=env.get("FRONTEND_BASE_URL", "http://localhost:3000").rstrip("/"),
        external_oauth_callback_origins=_csv("EXTERNAL_OAUTH_CALLBACK_ORIGINS", "http://localhost:3000"),
        state_machine_arn=env.get("STATE_MACHINE_ARN", ""),
        websocket_callback_url=env.get("WEBSOCKET_CALLBACK_URL", ""),
        event_replay_hours=float(env.get("EVENT_REPLAY_HOURS", "24")),
        api_key_rate_limit_per_minute=_positive_int("API_KEY_RATE_LIMIT_PER_MINUTE"),
        platform_secrets_arn=env.get("PLATFORM_SECRETS_ARN", "").strip(),
        service_poll_interval_seconds=_optional_float("SERVICE_POLL_INTERVAL_SECONDS"),
        service_poll_timeout_seconds=float(env.get("SERVICE_POLL_TIMEOUT_SECONDS", "180")),
        # -- credits
        enable_credit=_flag("ENABLE_CREDIT", False),
        enable_beta_monthly_credit=_flag("ENABLE_BETA_MONTHLY_CREDIT", True),
        num_user_credits_refill=int(env.get("NUM_USER_CREDITS_REFILL", "1500")),
        refund_credit_tolerance_threshold=int(env.get("REFUND_CREDIT_TOLERANCE_THRESHOLD", "500")),
        execution_cost_count_threshold=int(env.get("EXECUTION_COST_COUNT_THRESHOLD", "100")),
        execution_cost_per_threshold=int(env.get("EXECUTION_COST_PER_THRESHOLD", "1")),
        # -- schedules (EventBridge Scheduler) and webhook triggers
        schedule_group_name=env.get("SCHEDULE_GROUP_NAME", ""),
        schedule_target_arn=env.get("SCHEDULE_TARGET_ARN", ""),
        scheduler_role_arn=env.get("SCHEDULER_ROLE_ARN", ""),
        schedule_dlq_arn=env.get("SCHEDULE_DLQ_ARN", ""),
        platform_base_url=env.get("PLATFORM_BASE_URL", "").strip().rstrip("/"),
        webhook_payload_max_bytes=int(env.get("WEBHOOK_PAYLOAD_MAX_BYTES", "262144")),
        max_node_executions_per_run=int(env.get("MAX_NODE_EXECUTIONS_PER_RUN", "10000")),
        max_concurrent_graph_executions_per_user=int(
            env.get("MAX_CONCURRENT_GRAPH_EXECUTIONS_PER_USER", "25")
        ),
        reconcile_grace_seconds=float(env.get("RECONCILE_GRACE_SECONDS", "120")),
        # -- notifications and email
        notifications_queue_url=env.get("NOTIFICATIONS_QUEUE_URL", "").strip(),
        email_transport=_choice("EMAIL_TRANSPORT", ("ses", "outbox", "none")),
        email_outbox_dir=env.get("EMAIL_OUTBOX_DIR")
        or os.path.join(env.get("LOCAL_STATE_DIR") or ".local", "outbox"),
        email_from_address=(
            env.get("EMAIL_FROM_ADDRESS") or env.get("POSTMARK_SENDER_EMAIL") or Settings.email_from_address
        ).strip(),
        ses_configuration_set=env.get("SES_CONFIGURATION_SET", "").strip(),
        refund_notification_email=env.get("REFUND_NOTIFICATION_EMAIL", "").strip(),
        low_balance_threshold=int(env.get("LOW_BALANCE_THRESHOLD", "500")),
        # -- platform services
        upload_file_size_limit_mb=int(env.get("UPLOAD_FILE_SIZE_LIMIT_MB", "256")),
        upload_malware_scan=_choice("UPLOAD_MALWARE_SCAN", ("none", "guardduty")),
        analytics_retention_days=int(env.get("ANALYTICS_RETENTION_DAYS", "365")),
        otto_api_url=env.get("OTTO_API_URL", "").strip(),
        media_bucket_name=env.get("MEDIA_BUCKET_NAME", "").strip(),
        media_base_url=env.get("MEDIA_BASE_URL", "").strip().rstrip("/"),
        media_upload_max_mb=_positive_int("MEDIA_UPLOAD_MAX_MB") or 4,
        ideogram_api_key=env.get("IDEOGRAM_API_KEY", "").strip(),
        store_index_max_age_seconds=_positive_int("STORE_INDEX_MAX_AGE_SECONDS") or 900,
    )
