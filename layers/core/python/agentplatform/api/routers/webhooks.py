"""Webhook ingress and ping (spec §1.3 rows 61-62). Ingress carries no user token: the
provider's webhook manager decides whether a request is genuine."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse

from agentplatform.api.deps import UserId
from agentplatform.api.errors import envelope
from agentplatform.config import get_settings
from agentplatform.integrations.webhooks.service import WebhookService

router = APIRouter(prefix="/api/integrations", tags=["v1", "integrations"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such webhook (or provider)"}}


def webhook_service() -> WebhookService:
    return WebhookService()


Webhooks = Annotated[WebhookService, Depends(webhook_service)]


@router.post(
    "/{provider}/webhooks/{webhook_id}/ingress",
    summary="Webhook ingress",
    responses={
        **NOT_FOUND,
        400: {"description": "The payload is not what the provider sends"},
        403: {"description": "The request failed the provider's verification"},
        413: {"description": "The payload is larger than WEBHOOK_PAYLOAD_MAX_BYTES"},
    },
    response_model=None,
)
async def webhook_ingress_generic(
    request: Request,
    webhooks: Webhooks,
    provider: Annotated[str, Path(title="Provider where the webhook was registered")],
    webhook_id: Annotated[str, Path(title="Our ID for the webhook")],
) -> JSONResponse | None:
    """Start a run of every active preset bound to the webhook, with the request as payload."""
    limit = get_settings().webhook_payload_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return _too_large(request, limit)  # refused before reading the body
    body = await request.body()
    if len(body) > limit:
        return _too_large(request, limit)
    headers = {name.lower(): value for name, value in request.headers.items()}
    webhooks.ingress(provider, webhook_id, headers, body)
    return None


def _too_large(request: Request, limit: int) -> JSONResponse:
    detail = f"Webhook payload exceeds {limit} bytes"
    return envelope(request.method, request.url.path, 413, detail)


@router.post("/webhooks/{webhook_id}/ping", summary="Webhook ping", responses=NOT_FOUND)
def webhook_ping(
    user_id: UserId,
    webhooks: Webhooks,
    webhook_id: Annotated[str, Path(title="Our ID for the webhook")],
) -> bool:
    """Ask the provider to send a test event; false when the provider cannot (generic)."""
    return webhooks.ping(user_id, webhook_id)
