"""Drive the REST Lambdas exactly as API Gateway does: proxy events in, proxy results out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from local.apigw import MAX_REQUEST_BYTES, RouteTable, decode_response, proxy_event, request_too_large
from local.lambdas import invoke
from local.server import rest_handler

_routes: RouteTable | None = None


def routes() -> RouteTable:
    global _routes
    if _routes is None:
        _routes = RouteTable()
    return _routes


@dataclass
class ApiResponse:
    status_code: int
    headers: dict[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


class ApiGatewayClient:
    """Sends requests to the domain Lambda that API Gateway would pick for the path."""

    def __init__(self, token: str | None = None, headers: dict[str, str] | None = None):
        self.token = token
        self.headers = dict(headers or {})

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: str | bytes | None = None,
        params: dict[str, Any] | None = None,
        query: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> ApiResponse:
        """``query`` is the raw query string, for what ``params`` cannot encode."""
        matched = routes().match(method, path)
        assert matched is not None, f"no API Gateway resource for {method} {path}"
        all_headers = {"host": "testserver", **self.headers, **(headers or {})}
        if self.token:
            all_headers.setdefault("authorization", f"Bearer {self.token}")
        if json_body is not None:
            body = json.dumps(json_body)
            all_headers.setdefault("content-type", "application/json")
        raw = body.encode() if isinstance(body, str) else body or b""
        if len(raw) > MAX_REQUEST_BYTES:  # API Gateway answers before any Lambda runs
            status, header_list, content = request_too_large()
            return ApiResponse(status, {k.lower(): v for k, v in header_list}, content)
        event = proxy_event(
            method,
            path,
            resource=matched.route.path,
            path_parameters=matched.path_parameters,
            query=query if query is not None else urlencode(params or {}),
            headers=all_headers,
            body=body,
        )
        result = invoke(rest_handler(matched.route.domain), event, f"rest-{matched.route.domain}")
        status, header_list, raw = decode_response(result)
        return ApiResponse(status, {k.lower(): v for k, v in header_list}, raw)

    def get(self, path: str, **kw: Any) -> ApiResponse:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> ApiResponse:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> ApiResponse:
        return self.request("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> ApiResponse:
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> ApiResponse:
        return self.request("DELETE", path, **kw)
