"""Deployment knobs, read from CDK context (``cdk.json``, ``cdk.context.json``, ``-c k=v``).

Every knob has a production default here; ``cdk.json`` only switches on what a plain
``python -m infra_cdk.app`` should not do by itself (real dependency bundling).
Values given on the command line arrive as strings and are coerced to the default's type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing constructs starts the jsii runtime; sam_local does not need it
    from constructs import Node

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
LAYER_DIR = ROOT / "layers" / "core"
PYPROJECT = ROOT / "pyproject.toml"

STACK_NAME = "AgentPlatform"


@dataclass(frozen=True)
class PlatformConfig:
    # pip-install the layer's dependencies (slow, needs PyPI or the pip cache); off = source only
    bundle: bool = False
    # run the cdk-nag AwsSolutions pack on every synth
    nag: bool = True
    stage_name: str = "prod"
    # data: the table refuses deletion, and table/bucket/key survive a stack delete
    deletion_protection: bool = True
    retain_data: bool = True
    # X-Ray on Lambda, API Gateway and Step Functions
    tracing: bool = False
    # Lambda SnapStart on every function, invoked through a `live` alias (docs/deploy.md: cost)
    snap_start: bool = False
    # Powertools Tracer in every function (ENABLE_TRACER): subsegments for AWS and HTTP calls,
    # at the X-Ray SDK's cold-start import cost (docs/observability.md); use with tracing
    tracer: bool = False
    log_level: str = "INFO"
    log_retention_days: int = 30
    cors_allow_origins: tuple[str, ...] = ()
    # the frontend's public URL, for links the API hands out (e.g. shared runs)
    frontend_base_url: str = ""
    # origins external apps' OAuth callback URLs may have (EXTERNAL_OAUTH_CALLBACK_ORIGINS)
    external_oauth_callback_origins: tuple[str, ...] = ()
    # the API's public URL, for webhook ingress URLs (default: https://<domain_name>)
    platform_base_url: str = ""
    trust_endpoints_for_requests: tuple[str, ...] = ()
    # "host=origin" pairs: send that host's requests to another origin (egress proxy, region)
    outbound_host_overrides: tuple[str, ...] = ()
    # full ARN of a Secrets Manager secret: a JSON object of settings such as GOOGLE_CLIENT_SECRET
    platform_secrets_arn: str = ""
    binary_media_types: tuple[str, ...] = ("multipart/form-data", "application/octet-stream")
    api_throttle_rate: int = 100
    api_throttle_burst: int = 200
    websocket_throttle_rate: int = 50
    websocket_throttle_burst: int = 100
    map_max_concurrency: int = 10
    run_node_timeout_seconds: int = 300
    # a graph run still going after this long ends FAILED (its execution is cut off 15 min later)
    graph_run_timeout_seconds: int = 24 * 3600
    # how often the reconciler looks for runs whose state machine execution is gone
    reconcile_interval_minutes: int = 5
    # function key (see infra_cdk.catalog) -> reserved concurrent executions
    reserved_concurrency: dict[str, int] = field(default_factory=lambda: {"graph_run.run_node": 100})
    # 0 keeps large values until their run is deleted
    value_expiration_days: int = 0
    # uploads (POST /api/files/upload): GuardDuty Malware Protection for S3 on uploads/, and
    # the size limit (Lambda takes at most 6 MB per request, base64-encoded: ~4 MB of file)
    malware_protection: bool = False
    upload_file_size_limit_mb: int = 4
    # Otto, upstream's help assistant: the service's URL (unset: /api/otto/ask answers 503)
    otto_api_url: str = ""
    # Public media (listing media, OAuth app logos): an operator's bucket for them (default:
    # the values bucket), and a public origin serving them (default: API routes that
    # redirect to signed URLs).
    media_bucket_name: str = ""
    media_base_url: str = ""
    alarm_email: str = ""
    alarm_api_5xx_threshold: int = 5
    # optional custom domains (regional ACM certificate in the stack's region)
    domain_name: str = ""
    websocket_domain_name: str = ""
    certificate_arn: str = ""
    hosted_zone_id: str = ""
    hosted_zone_name: str = ""
    # notification email: an SES identity (domain or address) verified outside the stack;
    # empty: no email is sent (WebSocket notifications still are). See docs/notifications.md
    ses_identity: str = ""
    email_from_address: str = ""  # default: the address identity, or noreply@ the domain
    refund_notification_email: str = ""  # the admin mailbox for refund requests
    # credits (AutoGPT's ENABLE_CREDIT, ...; README configuration table). Stripe's
    # STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET go in the platform_secrets_arn secret.
    enable_credit: bool = False
    enable_beta_monthly_credit: bool = True
    num_user_credits_refill: int = 1500
    refund_credit_tolerance_threshold: int = 500

    @classmethod
    def from_context(cls, node: Node) -> PlatformConfig:
        values: dict[str, Any] = {}
        for spec in fields(cls):
            raw = node.try_get_context(spec.name)
            if raw is None:
                continue
            default = spec.default_factory() if callable(spec.default_factory) else spec.default
            values[spec.name] = coerce(raw, default)
        return cls(**values)


def coerce(raw: Any, default: Any) -> Any:
    """``raw`` (JSON from cdk.json, or a string from ``-c``) as the type of ``default``."""
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        return str(raw).strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, tuple):
        if isinstance(raw, str):
            text = raw.strip()
            items = json.loads(text) if text.startswith("[") else text.split(",")
        else:
            items = raw
        return tuple(str(item).strip() for item in items if str(item).strip())
    if isinstance(default, dict):
        parsed = json.loads(raw) if isinstance(raw, str) else raw
        return {str(key): int(value) for key, value in dict(parsed).items()}
    return str(raw)
