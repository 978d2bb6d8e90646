"""``/api/email``: one-click unsubscribe and email feedback webhooks (spec §1.3 rows 125-126)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Security
from fastapi.security import APIKeyHeader

from agentplatform.email.service import EmailService, WebhookTokenRefused, check_webhook_token
from agentplatform.models.email import PostmarkWebhook, UnsubscribeResponse

router = APIRouter(prefix="/api/email", tags=["v1", "email"])

postmark_token = APIKeyHeader(
    name="X-Postmark-Webhook-Token",
    scheme_name="APIKeyAuthenticator-X-Postmark-Webhook-Token",
    auto_error=False,
)


def email_service() -> EmailService:
    return EmailService()


Emails = Annotated[EmailService, Depends(email_service)]


def webhook_token(presented: Annotated[str | None, Security(postmark_token)]) -> None:
    try:
        check_webhook_token(presented)
    except WebhookTokenRefused as exc:
        raise HTTPException(401, detail=str(exc)) from None


@router.post(
    "/unsubscribe",
    summary="One Click Email Unsubscribe",
    responses={
        400: {"description": "Invalid unsubscribe token"},
        404: {"description": "The token's user does not exist"},
        503: {"description": "UNSUBSCRIBE_SECRET_KEY is not configured"},
    },
)
def unsubscribe_via_one_click(
    token: Annotated[str, Query(min_length=1)], emails: Emails
) -> UnsubscribeResponse:
    """RFC 8058: mail clients POST ``List-Unsubscribe=One-Click`` here; the body is ignored."""
    emails.unsubscribe(token)
    return UnsubscribeResponse()


WEBHOOK_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or wrong X-Postmark-Webhook-Token"},
    503: {"description": "POSTMARK_WEBHOOK_TOKEN is not configured"},
}


@router.post(
    "/",
    summary="Handle Postmark Email Webhooks",
    dependencies=[Depends(webhook_token)],
    responses=WEBHOOK_RESPONSES,
)
def postmark_webhook_handler(webhook: Annotated[PostmarkWebhook, Body()], emails: Emails) -> None:
    emails.handle_postmark(webhook)
