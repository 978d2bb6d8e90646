"""API Gateway REST (v1) proxy events: building them and routing paths to handlers.

Tests use ``proxy_event`` to drive handlers exactly as API Gateway would; the local
server uses ``RouteTable`` to pick the domain Lambda for each request, as the
deployed API's resources do, and refuses what API Gateway refuses before any Lambda
runs (a body over ``MAX_REQUEST_BYTES``).
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from agentplatform.api.domains import Route, route_table

STAGE = "prod"
# API Gateway REST APIs refuse larger payloads (413) before invoking the integration.
MAX_REQUEST_BYTES = 10 * 1024 * 1024


def request_too_large() -> tuple[int, list[tuple[str, str]], bytes]:
    """API Gateway's REQUEST_TOO_LARGE answer, in the API's gateway-response template."""
    body = json.dumps({"detail": "Request Too Long"}).encode()
    return 413, [("content-type", "application/json")], body


def proxy_event(
    method: str,
    path: str,
    *,
    resource: str | None = None,
    path_parameters: dict[str, str] | None = None,
    query: str = "",
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """An API Gateway REST API ``AWS_PROXY`` integration event."""
    headers = dict(headers or {})
    raw = body.encode() if isinstance(body, str) else body
    is_base64 = False
    text: str | None = None
    if raw:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text, is_base64 = base64.b64encode(raw).decode(), True
    pairs = parse_qsl(query, keep_blank_values=True)
    multi_query: dict[str, list[str]] = {}
    for key, value in pairs:
        multi_query.setdefault(key, []).append(value)
    multi_headers = {k: [v] for k, v in headers.items()}
    now = time.time()
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method.upper(),
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource or path,
            "httpMethod": method.upper(),
            "path": f"/{STAGE}{path}",
            "stage": STAGE,
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(now * 1000),
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "protocol": "HTTP/1.1",
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": headers.get("host", "localhost"),
            "identity": {"sourceIp": source_ip, "userAgent": headers.get("user-agent", "")},
        },
        "body": text,
        "isBase64Encoded": is_base64,
    }


def decode_response(result: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body bytes of a Lambda proxy integration response."""
    headers: list[tuple[str, str]] = []
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((name, v) for v in values)
    seen = {name.lower() for name, _ in headers}
    headers.extend((k, v) for k, v in (result.get("headers") or {}).items() if k.lower() not in seen)
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return int(result.get("statusCode", 502)), headers, raw


@dataclass(frozen=True)
class MatchedRoute:
    route: Route
    path_parameters: dict[str, str]


class RouteTable:
    """Matches a request to its API Gateway resource, preferring literal segments."""

    def __init__(self, routes: list[Route] | None = None):
        compiled = []
        for route in routes if routes is not None else route_table():
            pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(route.path))
            # API Gateway picks the most specific resource: fewer parameters first.
            compiled.append((route.path.count("{"), re.compile(f"^{pattern}$"), route))
        compiled.sort(key=lambda entry: entry[0])
        self._routes = compiled

    def match(self, method: str, path: str) -> MatchedRoute | None:
        fallback = None
        for _, regex, route in self._routes:
            found = regex.match(path)
            if not found:
                continue
            if route.method == method.upper():
                return MatchedRoute(route, found.groupdict())
            fallback = fallback or MatchedRoute(route, found.groupdict())
        # A known path with another method still goes to its domain, which answers 405.
        return fallback
