"""A loopback HTTP server for tests of outbound requests (no network needed)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# A route answers (status, headers, body) for a recorded request.
Route = Callable[["RecordedRequest"], tuple[int, dict[str, str], bytes]]


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LoopbackServer:
    port: int
    routes: dict[str, Route]
    requests: list[RecordedRequest] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def json_route(status: int, payload: Any) -> Route:
    return lambda _req: (status, {"Content-Type": "application/json"}, json.dumps(payload).encode())


def text_route(status: int, text: str) -> Route:
    return lambda _req: (status, {"Content-Type": "text/plain"}, text.encode())


def redirect_route(location: str, status: int = 302) -> Route:
    return lambda _req: (status, {"Location": location}, b"")


def echo_route() -> Route:
    def answer(req: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        payload = {
            "method": req.method,
            "headers": {k.lower(): v for k, v in req.headers.items()},
            "body": req.body.decode("utf-8", "replace"),
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(payload).encode()

    return answer


@contextmanager
def loopback_server(routes: dict[str, Route], fallback: Route | None = None) -> Iterator[LoopbackServer]:
    """Serve ``routes`` by exact path; other paths go to ``fallback`` (404 without one)."""
    state = LoopbackServer(port=0, routes=routes)

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            req = RecordedRequest(self.command, self.path, dict(self.headers), self.rfile.read(length))
            state.requests.append(req)
            route = state.routes.get(self.path.split("?")[0]) or fallback
            status, headers, body = route(req) if route else (404, {}, b"not found")
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    # A short poll interval: shutdown() waits up to one interval, at every test teardown.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
