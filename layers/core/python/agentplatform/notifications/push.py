"""The WebSocket ``notification`` message, posted to every open connection of the user.

Upstream sends ``WSMessage(method="notification", data=<payload>)`` to all of a
user's sockets, the payload being ``{"type": ..., "event": ..., ...}``. Ours:
``{"type": "notification", "event": "<NotificationType>", "id": ..., "created_at": ...,
"data": {...}}``. Connections are found through gsi1 (``WSUSER#<user>``) and posted to
with the events fan-out; gone ones are forgotten. Delivery is best effort: the email
path does not wait on it, and a failure is logged, not retried.
"""

from __future__ import annotations

import logging
from typing import Any

from agentplatform.models.notifications import NotificationEvent

logger = logging.getLogger(__name__)


def payload(event: NotificationEvent) -> dict[str, Any]:
    return {
        "type": "notification",
        "event": event.type.value,
        "id": event.id,
        "created_at": event.created_at.isoformat(),
        "data": event.data,
    }


def push(event: NotificationEvent) -> int:
    """Post the event to the user's connections; returns how many were tried."""
    from agentplatform.config import get_settings
    from agentplatform.events.fanout import Fanout
    from agentplatform.events.messages import WSMessage, WSMethod
    from agentplatform.store.connections import ConnectionRepository, Subscriber

    if not get_settings().websocket_callback_url:
        return 0
    connections = ConnectionRepository()
    targets = [Subscriber(connection_id) for connection_id in connections.for_user(event.user_id)]
    if not targets:
        return 0
    message = WSMessage(method=WSMethod.NOTIFICATION, data=payload(event)).model_dump_json()
    try:
        failed = Fanout(connections=connections).deliver(message, targets)
    except Exception:
        logger.exception("notification %s: WebSocket delivery failed", event.id)
        return len(targets)
    if failed:
        logger.warning("notification %s: %d of %d WebSocket posts failed", event.id, failed, len(targets))
    return len(targets)
