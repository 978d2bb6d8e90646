"""``$disconnect``: forget the connection and its subscriptions."""

from __future__ import annotations

from typing import Any

from agentplatform.events.connect import disconnect
from agentplatform.observability import lambda_handler, request_keys


@lambda_handler(request_keys)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    disconnect(event["requestContext"]["connectionId"])
    return {"statusCode": 200}
