"""A loopback HTTP server for tests of outbound requests (no network needed)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

# A reply: (status, headers, body).
Reply = tuple[int, dict[str, str], bytes]
# A route answers a reply for a recorded request.
Route = Callable[["RecordedRequest"], Reply]


@dataclass
class RecordedRequest:
    method: str
    path: str  # as sent: with the query
    headers: httpx.Headers  # case-insensitive
    body: bytes

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.path).query)

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


def json_reply(status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(payload).encode()


def text_reply(status: int, text: str, content_type: str = "text/plain; charset=utf-8") -> Reply:
    return status, {"Content-Type": content_type}, text.encode()


@dataclass
class LoopbackServer:
    port: int
    routes: dict[str, Route]
    requests: list[RecordedRequest] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def json_route(status: int, payload: Any) -> Route:
    return lambda _req: json_reply(status, payload)


def text_route(status: int, text: str) -> Route:
    return lambda _req: text_reply(status, text, "text/plain")


def redirect_route(location: str, status: int = 302) -> Route:
    return lambda _req: (status, {"Location": location}, b"")


def echo_route() -> Route:
    def answer(req: RecordedRequest) -> Reply:
        payload = {
            "method": req.method,
            "headers": dict(req.headers.items()),  # lower-case names
            "body": req.body.decode("utf-8", "replace"),
        }
        return json_reply(200, payload)

    return answer


@contextmanager
def loopback_server(routes: dict[str, Route], fallback: Route | None = None) -> Iterator[LoopbackServer]:
    """Serve ``routes`` by exact path; other paths go to ``fallback`` (404 without one)."""
    state = LoopbackServer(port=0, routes=routes)

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            sent = httpx.Headers(list(self.headers.items()))
            req = RecordedRequest(self.command, self.path, sent, self.rfile.read(length))
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
