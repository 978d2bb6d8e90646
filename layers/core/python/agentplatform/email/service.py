"""Rules behind ``/api/email``: one-click unsubscribe, and feedback that stops mail.

Feedback comes two ways: Postmark-format webhooks on ``POST /api/email/`` (checked with
``POSTMARK_WEBHOOK_TOKEN``, as upstream), and SES's own bounce and complaint events,
which EventBridge puts on the notifications queue (no public endpoint, no token).
A hard bounce or a complaint puts the address on the suppression list; soft bounces
are ignored, as upstream.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from agentplatform.email.tokens import user_of_token
from agentplatform.errors import MissingConfigError
from agentplatform.models.email import (
    SOFT_BOUNCES,
    PostmarkBounceWebhook,
    PostmarkSpamComplaintWebhook,
    PostmarkSubscriptionChangeWebhook,
)
from agentplatform.store.email import SuppressionList
from agentplatform.store.users import UserRepository

logger = logging.getLogger(__name__)

WEBHOOK_TOKEN_SETTING = "POSTMARK_WEBHOOK_TOKEN"


class WebhookTokenRefused(Exception):
    """Missing or wrong webhook token (the API answers 401, as upstream)."""


def check_webhook_token(presented: str | None) -> None:
    from agentplatform.platform_secrets import platform_secret

    expected = platform_secret(WEBHOOK_TOKEN_SETTING)
    if not expected:
        raise MissingConfigError(f"{WEBHOOK_TOKEN_SETTING} is not configured: email webhooks are refused")
    if presented is None:
        raise WebhookTokenRefused("No API key in request")
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        raise WebhookTokenRefused("Invalid API key")


def ses_feedback_recipients(detail: dict[str, Any]) -> list[str]:
    """Addresses an SES bounce or complaint event says to stop mailing: permanent
    bounces and every complaint (EventBridge ``detail`` or SNS ``Message`` shape)."""
    kind = str(detail.get("eventType") or detail.get("notificationType") or "")
    if kind == "Bounce":
        bounce = detail.get("bounce") or {}
        if bounce.get("bounceType") != "Permanent":
            return []
        recipients = bounce.get("bouncedRecipients") or []
    elif kind == "Complaint":
        recipients = (detail.get("complaint") or {}).get("complainedRecipients") or []
    else:
        return []
    return [str(r["emailAddress"]) for r in recipients if isinstance(r, dict) and r.get("emailAddress")]


class EmailService:
    def __init__(self, users: UserRepository | None = None, suppressions: SuppressionList | None = None):
        self.users = users or UserRepository()
        self.suppressions = suppressions or SuppressionList()

    def unsubscribe(self, token: str) -> None:
        """Turn every notification of the token's user off (a forged token: 400)."""
        self.users.disable_notifications(user_of_token(token))

    def handle_postmark(self, record: Any) -> None:
        if isinstance(record, PostmarkBounceWebhook):
            if record.TypeCode in SOFT_BOUNCES:
                logger.info("soft bounce (%s): the address stays", record.TypeCode.name)
                return
            self.suppressions.suppress(record.Email, f"postmark bounce {record.TypeCode.name}")
        elif isinstance(record, PostmarkSpamComplaintWebhook):
            self.suppressions.suppress(record.Email, "postmark spam complaint")
        elif (
            isinstance(record, PostmarkSubscriptionChangeWebhook)
            and record.SuppressSending
            and record.Recipient
        ):
            self.suppressions.suppress(record.Recipient, f"postmark suppression {record.SuppressionReason}")
        # Delivery, open and click records change nothing (as upstream).

    def handle_ses_event(self, detail: dict[str, Any]) -> None:
        for address in ses_feedback_recipients(detail):
            self.suppressions.suppress(
                address, f"ses {detail.get('eventType') or detail.get('notificationType')}"
            )
