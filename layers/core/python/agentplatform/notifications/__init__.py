"""Notifications: producers queue events, the notifications Lambda delivers them.

The public API for any producer (the engine, credits, the marketplace's reviews) is
``publish``; what happens to an event afterwards (preferences, batching, email through
SES, the WebSocket ``notification`` message) is docs/notifications.md.

    from agentplatform.models.notifications import AgentApprovalData
    from agentplatform.models.user import NotificationType
    from agentplatform.notifications import publish

    publish(
        creator_id,
        NotificationType.AGENT_APPROVED,
        AgentApprovalData(agent_name=..., agent_id=..., agent_version=..., reviewer_name=...,
                          reviewer_email=..., comments=..., reviewed_at=..., store_url=...),
        event_id=f"AGENT_APPROVED:{listing_version_id}",
    )

Importing this package costs nothing beyond the settings; with notifications off
(``NOTIFICATIONS_QUEUE_URL`` unset) ``publish`` returns at once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from agentplatform.config import get_settings

if TYPE_CHECKING:
    from pydantic import BaseModel

    from agentplatform.models.user import NotificationType

logger = logging.getLogger(__name__)


def publish(
    user_id: str,
    kind: NotificationType,
    data: BaseModel | dict[str, Any],
    *,
    event_id: str | None = None,
) -> bool:
    """Queue a notification for ``user_id``. True once it is on the queue.

    ``data`` must fit the type's shape (``models/notifications.py``; a mismatch raises
    ``pydantic.ValidationError``). ``event_id`` makes a retried publish harmless: the
    consumer acts once per id, so derive it from what happened (``"<TYPE>:<thing id>"``);
    without one every call is a new notification. False when notifications are off or
    the queue refused the message (logged): a notification never fails its producer.
    """
    if not get_settings().notifications_queue_url:
        return False
    from agentplatform.models.notifications import NotificationEvent, NotifyTask
    from agentplatform.notifications.queue import send

    payload = data if isinstance(data, dict) else data.model_dump(mode="json")
    fields: dict[str, Any] = {"user_id": user_id, "type": kind, "data": payload}
    if event_id:
        fields["id"] = event_id
    task = NotifyTask(event=NotificationEvent(**fields))
    try:
        send(task)
    except Exception as exc:
        logger.warning("notification %s for user %s not queued: %s", kind, user_id, type(exc).__name__)
        return False
    return True
