"""``$default``: every client message (routing on ``method`` happens in the domain)."""

from __future__ import annotations

import base64
from typing import Any

from agentplatform.config import get_settings
from agentplatform.events.delivery import ConnectionPoster
from agentplatform.events.protocol import Session, handle_message
from agentplatform.observability import lambda_handler, request_keys
from agentplatform.store.connections import ConnectionGone


def _body(event: dict[str, Any]) -> str:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body).decode("utf-8", errors="replace")
    return str(body)


@lambda_handler(request_keys)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    connection_id = event["requestContext"]["connectionId"]
    poster = ConnectionPoster(get_settings().websocket_callback_url)

    def send(message: str) -> None:
        poster.post(connection_id, message)  # a client that left meanwhile misses its reply

    session = Session(connection_id, send=send)
    try:
        handle_message(session, _body(event))
    except ConnectionGone:
        poster.close(connection_id)  # not registered (expired): the client reconnects
    return {"statusCode": 200}
