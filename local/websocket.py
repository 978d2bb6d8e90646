"""The local WebSocket API: a real socket at ``/ws`` driving the same Lambda handlers.

Frames become API Gateway WebSocket events (``$connect``, ``$default``,
``$disconnect``) for ``functions.websocket.*``, and moto's management API is patched
so that ``post_to_connection`` reaches the open socket: unknown or closed connection
ids raise ``GoneException`` (410), as API Gateway does, and messages over the 128 KB
quota raise ``PayloadTooLargeException``. A refused ``$connect`` closes the socket
with the close code the handler names (AutoGPT's 4001/4002/4003).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import string
import threading
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.types import Receive, Scope, Send

from local.lambdas import Handler, invoke

STAGE = "prod"
MESSAGE_LIMIT_BYTES = 128 * 1024
LOCAL_CALLBACK_URL = f"https://local.execute-api.us-east-1.amazonaws.com/{STAGE}"
_POLICY_VIOLATION = 1008
_MESSAGE_TOO_BIG = 1009
_ID_ALPHABET = string.ascii_letters + string.digits


def _handler(route: str) -> Handler:
    import importlib

    handler: Handler = importlib.import_module(f"functions.websocket.{route}").handler
    return handler


def new_connection_id() -> str:
    # Shaped like API Gateway's: 15 characters and a trailing "=".
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(15)) + "="


class LiveSockets:
    """Open sockets by connection id; thread-safe, since Lambdas post from threads."""

    _CLOSE = object()

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Queue[Any]]] = {}

    def open(self, connection_id: str, loop: asyncio.AbstractEventLoop, outbox: asyncio.Queue[Any]) -> None:
        with self._lock:
            self._open[connection_id] = (loop, outbox)

    def forget(self, connection_id: str) -> None:
        with self._lock:
            self._open.pop(connection_id, None)

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._open)

    def is_open(self, connection_id: str) -> bool:
        with self._lock:
            return connection_id in self._open

    def _enqueue(self, connection_id: str, item: Any) -> bool:
        with self._lock:
            target = self._open.get(connection_id)
        if target is None:
            return False
        loop, outbox = target
        try:
            loop.call_soon_threadsafe(outbox.put_nowait, item)
        except RuntimeError:  # the server's loop has stopped
            return False
        return True

    def deliver(self, connection_id: str, data: bytes) -> bool:
        return self._enqueue(connection_id, data)

    def close(self, connection_id: str) -> bool:
        found = self._enqueue(connection_id, self._CLOSE)
        self.forget(connection_id)
        return found


LIVE = LiveSockets()
_installed = False


def install_management_api() -> None:
    """Patch moto's management API to talk to ``LIVE`` sockets (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.apigatewaymanagementapi.models import ApiGatewayManagementApiBackend, Connection
    from moto.core.exceptions import JsonRESTError

    class GoneException(JsonRESTError):
        code = 410

        def __init__(self, connection_id: str):
            super().__init__("GoneException", f"Connection {connection_id} is gone")

    class PayloadTooLargeException(JsonRESTError):
        code = 413

        def __init__(self, size: int):
            super().__init__("PayloadTooLargeException", f"Message of {size} bytes exceeds the quota")

    # moto passes the id still percent-encoded from the request path ("=" is "%3D").
    def post_to_connection(self: Any, data: bytes, connection_id: str) -> None:
        connection_id = unquote(connection_id)
        if len(data) > MESSAGE_LIMIT_BYTES:
            raise PayloadTooLargeException(len(data))
        if not LIVE.deliver(connection_id, data):
            raise GoneException(connection_id)

    def get_connection(self: Any, connection_id: str) -> Any:
        connection_id = unquote(connection_id)
        if not LIVE.is_open(connection_id):
            raise GoneException(connection_id)
        return Connection()

    def delete_connection(self: Any, connection_id: str) -> None:
        connection_id = unquote(connection_id)
        if not LIVE.close(connection_id):
            raise GoneException(connection_id)

    ApiGatewayManagementApiBackend.post_to_connection = post_to_connection  # type: ignore[method-assign]
    ApiGatewayManagementApiBackend.get_connection = get_connection  # type: ignore[method-assign]
    ApiGatewayManagementApiBackend.delete_connection = delete_connection  # type: ignore[method-assign]
    _installed = True


def websocket_event(
    route: str,
    connection_id: str,
    *,
    headers: dict[str, str] | None = None,
    query: str = "",
    body: str | None = None,
    source_ip: str = "127.0.0.1",
    connected_at: int | None = None,
) -> dict[str, Any]:
    """An API Gateway WebSocket API Lambda proxy event for ``route``."""
    event_type = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE")
    now = time.time()
    context: dict[str, Any] = {
        "routeKey": route,
        "eventType": event_type,
        "extendedRequestId": str(uuid.uuid4()),
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "messageDirection": "IN",
        "stage": STAGE,
        "connectedAt": connected_at or int(now * 1000),
        "requestTimeEpoch": int(now * 1000),
        "identity": {"sourceIp": source_ip},
        "requestId": str(uuid.uuid4()),
        "domainName": (headers or {}).get("host", "localhost"),
        "connectionId": connection_id,
        "apiId": "local",
    }
    event: dict[str, Any] = {"requestContext": context, "isBase64Encoded": False}
    if route == "$connect":
        pairs = parse_qsl(query, keep_blank_values=True)
        multi: dict[str, list[str]] = {}
        for key, value in pairs:
            multi.setdefault(key, []).append(value)
        event["headers"] = dict(headers or {})
        event["multiValueHeaders"] = {k: [v] for k, v in (headers or {}).items()}
        if multi:
            event["queryStringParameters"] = {k: v[-1] for k, v in multi.items()}
            event["multiValueQueryStringParameters"] = multi
    elif route == "$disconnect":
        context["disconnectStatusCode"] = 1000
        context["disconnectReason"] = "Client-side close frame status not set"
    else:
        context["messageId"] = secrets.token_urlsafe(12)
        event["body"] = body
    return event


def _rejection(result: dict[str, Any]) -> tuple[int, str]:
    """The close code and reason a refused ``$connect`` names (policy violation otherwise)."""
    try:
        body = json.loads(result.get("body") or "{}")
        return int(body["code"]), str(body.get("reason", ""))
    except (ValueError, KeyError, TypeError):
        return _POLICY_VIOLATION, "Forbidden"


async def _call(route: str, event: dict[str, Any]) -> dict[str, Any]:
    name = {"$connect": "connect", "$disconnect": "disconnect"}.get(route, "default")
    result = await asyncio.to_thread(invoke, _handler(name), event, f"websocket-{name}")
    return result if isinstance(result, dict) else {}


class WebSocketGateway:
    """Serves ``/ws`` the way the deployed WebSocket API (stage ``prod``) does."""

    def __init__(self, path: str = "/ws"):
        self.path = path
        install_management_api()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (await receive())["type"] != "websocket.connect":
            return
        if scope["path"].rstrip("/") != self.path:
            await send({"type": "websocket.close", "code": _POLICY_VIOLATION})
            return
        connection_id = new_connection_id()
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        connected_at = int(time.time() * 1000)
        source_ip = (scope.get("client") or ("127.0.0.1", 0))[0]
        query = scope.get("query_string", b"").decode("latin-1")
        result = await _call(
            "$connect",
            websocket_event(
                "$connect",
                connection_id,
                headers=headers,
                query=query,
                source_ip=source_ip,
                connected_at=connected_at,
            ),
        )
        if not 200 <= int(result.get("statusCode", 500)) < 300:
            code, reason = _rejection(result)
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": code, "reason": reason})
            return
        outbox: asyncio.Queue[Any] = asyncio.Queue()
        LIVE.open(connection_id, asyncio.get_running_loop(), outbox)
        await send({"type": "websocket.accept"})
        pump = asyncio.create_task(self._pump(outbox, send))
        try:
            await self._serve(connection_id, receive, send, source_ip, connected_at)
        finally:
            LIVE.forget(connection_id)
            pump.cancel()
            await _call(
                "$disconnect", websocket_event("$disconnect", connection_id, connected_at=connected_at)
            )

    async def _serve(
        self, connection_id: str, receive: Receive, send: Send, source_ip: str, connected_at: int
    ) -> None:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                text = (message.get("bytes") or b"").decode("utf-8", errors="replace")
            if len(text.encode()) > MESSAGE_LIMIT_BYTES:
                await send({"type": "websocket.close", "code": _MESSAGE_TOO_BIG, "reason": "Message too big"})
                return
            event = websocket_event(
                "$default", connection_id, body=text, source_ip=source_ip, connected_at=connected_at
            )
            await _call("$default", event)

    @staticmethod
    async def _pump(outbox: asyncio.Queue[Any], send: Send) -> None:
        while True:
            item = await outbox.get()
            if item is LiveSockets._CLOSE:
                await send({"type": "websocket.close", "code": 1000})
                return
            try:
                await send({"type": "websocket.send", "text": item.decode("utf-8")})
            except UnicodeDecodeError:
                await send({"type": "websocket.send", "bytes": item})
