"""The REST Lambda entry point: Mangum around a domain's app, behind one event check,
instrumented once for every domain (``observability.rest_handler``: the request's log
keys, one access line per request, metrics published, traced when enabled).

Mangum re-encodes the event's query parameters and headers as UTF-8 before the app
sees them, so a lone UTF-16 surrogate there (an API Gateway event is JSON, which can
carry one) would crash the function instead of answering. Such an event gets the
400 envelope the app's input guard gives for the same problem in a body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mangum import Mangum

from agentplatform.api.app import create_app
from agentplatform.api.input_guard import NOT_UNICODE, first_unencodable, printable
from agentplatform.api.middleware import ALWAYS_HEADERS, NO_STORE_HEADERS
from agentplatform.observability import rest_handler

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]
_REQUEST_PARTS = (
    "path",
    "pathParameters",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "headers",
    "multiValueHeaders",
)


def event_problem(event: dict[str, Any]) -> str | None:
    for part in _REQUEST_PARTS:
        value = event.get(part)
        if value is not None and first_unencodable(value, part):
            return f"The request's {part} {NOT_UNICODE}"
    return None


def _refusal(event: dict[str, Any], problem: str) -> dict[str, Any]:
    method, path = str(event.get("httpMethod", "")), str(event.get("path", ""))
    body = {
        "message": f"Failed to process {method} {printable(path)}",
        "detail": problem,
        "hint": "Adjust the request and retry.",
    }
    headers = {"content-type": "application/json", **ALWAYS_HEADERS, **NO_STORE_HEADERS}
    return {"statusCode": 400, "headers": headers, "body": json.dumps(body), "isBase64Encoded": False}


def rest_lambda(domain: str) -> LambdaHandler:
    """The handler of ``functions/rest/<domain>.py``, instrumented (observability, which
    also ends INIT's collector pause)."""
    mangum = Mangum(create_app(domain), lifespan="off")

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        problem = event_problem(event)
        if problem is not None:
            return _refusal(event, problem)
        return dict(mangum(event, context))

    return rest_handler(handler)
