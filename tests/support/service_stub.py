"""Loopback stubs for third-party service APIs, reached the way production code reaches
the real hosts: ``OUTBOUND_HOST_OVERRIDES`` maps the service's host to the stub.

A ``ServiceStub`` answers requests with handlers routed by method and path pattern and
records every request with its body decoded (JSON, form or multipart). The per-service
stubs in ``tests/support/service_fakes.py`` script the services' real wire formats.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class StubRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def form(self) -> dict[str, list[Any]]:
        """Fields of an urlencoded or multipart body (file parts as bytes)."""
        content_type = self.headers.get("content-type", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            return parse_qs(self.body.decode(), keep_blank_values=True)
        if content_type.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {content_type}\r\n\r\n".encode() + self.body
            )
            fields: dict[str, list[Any]] = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                value = payload if part.get_filename() else payload.decode()
                fields.setdefault(str(name), []).append(value)
            return fields
        return {}


# A handler answers (status, JSON body) or (status, JSON body, extra headers).
Handler = Callable[[StubRequest, "re.Match[str]"], tuple[Any, ...]]


@dataclass
class ServiceStub:
    routes: list[tuple[str, re.Pattern[str], Handler]] = field(default_factory=list)
    requests: list[StubRequest] = field(default_factory=list)
    origin: str = ""

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method, re.compile(pattern), handler))

    def calls(self, method: str, pattern: str) -> list[StubRequest]:
        regex = re.compile(pattern)
        return [r for r in self.requests if r.method == method and regex.fullmatch(r.path)]

    def answer(self, request: StubRequest) -> tuple[int, bytes, dict[str, str]]:
        self.requests.append(request)
        for method, pattern, handler in self.routes:
            match = pattern.fullmatch(request.path)
            if match and method == request.method:
                status, body, *extra = handler(request, match)
                headers = {"Content-Type": "application/json", **(extra[0] if extra else {})}
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                return status, raw, headers
        return 404, json.dumps({"error": f"no route for {request.method} {request.path}"}).encode(), {}


def _serve(stub: ServiceStub) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            request = StubRequest(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length),
            )
            status, body, headers = stub.answer(request)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.origin = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def service_stubs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., ServiceStub]]:
    """``start(*hosts)``: a running stub that requests for ``hosts`` reach. Polling waits
    are shortened to 10 ms for the test."""
    from agentplatform.config import get_settings

    servers: list[ThreadingHTTPServer] = []
    overrides: list[str] = []

    def start(*hosts: str) -> ServiceStub:
        stub = ServiceStub()
        servers.append(_serve(stub))
        overrides.extend(f"{host}={stub.origin}" for host in hosts)
        monkeypatch.setenv("OUTBOUND_HOST_OVERRIDES", ",".join(overrides))
        get_settings.cache_clear()
        return stub

    monkeypatch.setenv("SERVICE_POLL_INTERVAL_SECONDS", "0.01")
    get_settings.cache_clear()
    try:
        yield start
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
        monkeypatch.delenv("OUTBOUND_HOST_OVERRIDES", raising=False)
        monkeypatch.delenv("SERVICE_POLL_INTERVAL_SECONDS", raising=False)
        get_settings.cache_clear()
