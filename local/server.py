"""The local API Gateway: an ASGI app that turns HTTP requests into proxy events.

Each request is matched to its domain Lambda with the same route table the deployed
API uses, converted into an API Gateway REST proxy event, handled by the real handler
on a worker thread, and the proxy response is written back.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
from typing import Any

from starlette.types import Receive, Scope, Send

from local import s3_links
from local.apigw import MAX_REQUEST_BYTES, RouteTable, decode_response, proxy_event, request_too_large
from local.cloud import LocalCloud
from local.lambdas import Handler, invoke
from local.notifications import LocalNotifications, start_local_notifications
from local.reconciler import ReconcilerTimer
from local.schedules import LocalScheduler
from local.streams import StreamPoller
from local.websocket import WebSocketGateway

logger = logging.getLogger("local")


def rest_handler(domain: str) -> Handler:
    handler: Handler = importlib.import_module(f"functions.rest.{domain}").handler
    return handler


class LocalGateway:
    def __init__(self, cloud: LocalCloud):
        self.cloud = cloud
        self.routes: RouteTable | None = None
        self.websockets = WebSocketGateway()
        self.streams: list[StreamPoller] = []
        self.schedules: LocalScheduler | None = None  # fires due schedules (local/schedules.py)
        self.reconciler: ReconcilerTimer | None = None
        self.notifications: LocalNotifications | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self.websockets(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.routes = await asyncio.to_thread(RouteTable)
                self.streams = await asyncio.to_thread(self._start_streams)
                self.schedules = await asyncio.to_thread(LocalScheduler(self.cloud.state_dir).start)
                self.reconciler = ReconcilerTimer().start()  # as the EventBridge rule in AWS
                self.notifications = await asyncio.to_thread(start_local_notifications, self.cloud.state_dir)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for poller in self.streams:
                    await asyncio.to_thread(poller.stop)
                if self.schedules:
                    await asyncio.to_thread(self.schedules.stop)
                if self.reconciler:
                    await asyncio.to_thread(self.reconciler.stop)
                if self.notifications:
                    await asyncio.to_thread(self.notifications.stop)
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _start_streams(self) -> list[StreamPoller]:
        """The table stream drives the events Lambda, as the deployed event source does."""
        import os

        from agentplatform.config import get_settings
        from local.websocket import LOCAL_CALLBACK_URL

        if not os.environ.get("WEBSOCKET_CALLBACK_URL"):
            os.environ["WEBSOCKET_CALLBACK_URL"] = LOCAL_CALLBACK_URL
            get_settings.cache_clear()
        return [poller.start() for poller in self.cloud.stream_pollers()]

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = bytearray()
        while True:
            message = await receive()
            body.extend(message.get("body", b""))
            if len(body) > MAX_REQUEST_BYTES:
                await _respond(send, *request_too_large())
                return
            if not message.get("more_body"):
                break
        method, path = scope["method"], scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        if path.startswith(s3_links.PREFIX) and method == "GET":
            await _respond(send, *await asyncio.to_thread(s3_links.serve, path, query))
            return
        assert self.routes is not None
        matched = self.routes.match(method, path)
        if matched is None:
            await _respond(
                send,
                404,
                [("content-type", "application/json")],
                json.dumps({"message": "Not Found"}).encode(),
            )
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        event = proxy_event(
            method,
            path,
            resource=matched.route.path,
            path_parameters=matched.path_parameters,
            query=query,
            headers=headers,
            body=bytes(body),
            source_ip=(scope.get("client") or ("127.0.0.1", 0))[0],
        )
        domain = matched.route.domain
        result: dict[str, Any] = await asyncio.to_thread(
            lambda: invoke(rest_handler(domain), event, function_name=f"rest-{domain}")
        )
        status, response_headers, raw = decode_response(result)
        if status in _REDIRECTS:
            response_headers = [_served_locally(name, value) for name, value in response_headers]
        await _respond(send, status, response_headers, raw)


_REDIRECTS = (301, 302, 303, 307, 308)


def _served_locally(name: str, value: str) -> tuple[str, str]:
    """A redirect to a presigned S3 URL goes to the gateway's own copy of the link."""
    if name.lower() == "location" and (link := s3_links.local_link(value)):
        return name, link
    return name, value


async def _respond(send: Send, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    encoded = [
        (k.lower().encode("latin-1"), v.encode("latin-1"))
        for k, v in headers
        if k.lower() != "content-length"
    ]
    encoded.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": encoded})
    await send({"type": "http.response.body", "body": body})
