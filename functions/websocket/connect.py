"""``$connect``: authenticate ``?token=`` and register the connection."""

from __future__ import annotations

import json
from typing import Any

from agentplatform.config import get_settings
from agentplatform.events.connect import connect
from agentplatform.observability import lambda_handler, request_keys


@lambda_handler(request_keys)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    connection_id = event["requestContext"]["connectionId"]
    token = (event.get("queryStringParameters") or {}).get("token")
    rejection = connect(connection_id, token, get_settings())
    if rejection is None:
        return {"statusCode": 200}
    # API Gateway refuses the handshake with the status; the body names AutoGPT's close code.
    body = {"code": rejection.close_code, "reason": rejection.reason}
    return {"statusCode": rejection.status_code, "body": json.dumps(body)}
