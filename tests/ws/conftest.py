"""The local cloud serving HTTP and WebSockets on a real port, in this process.

``ws_server`` runs the local API Gateway (the app ``agentplatform dev`` serves) under
uvicorn on a background thread, on top of a moto cloud shared by the module, with the
table stream driving the events Lambda as in the deployed stack.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn

from tests.conftest import OTHER_USER_ID, TEST_JWT_SECRET, USER_ID

_START_LIMIT_SECONDS = 60.0


@dataclass
class WsServer:
    port: int
    gateway: object

    def url(self, token: str | None = None, query: str | None = None) -> str:
        base = f"ws://127.0.0.1:{self.port}/ws"
        if query is not None:
            return f"{base}?{query}"
        return base if token is None else f"{base}?token={token}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def ws_cloud() -> Iterator[object]:
    """One moto cloud per module (tests use fresh ids, so they do not collide)."""
    from local.cloud import LocalCloud

    local = LocalCloud(state_dir=None).start()
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="module")
def ws_server(ws_cloud: object) -> Iterator[WsServer]:
    from local.server import LocalGateway

    gateway = LocalGateway(ws_cloud)  # type: ignore[arg-type]
    port = _free_port()
    config = uvicorn.Config(gateway, host="127.0.0.1", port=port, lifespan="on", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="local-cloud", daemon=True)
    thread.start()
    deadline = time.monotonic() + _START_LIMIT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("local cloud did not start")
        time.sleep(0.02)
    try:
        yield WsServer(port, gateway)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def token_for(user_id: str) -> str:
    from local.tokens import mint

    return mint(TEST_JWT_SECRET, sub=user_id)


@pytest.fixture
def user_token() -> str:
    return token_for(USER_ID)


@pytest.fixture
def other_token() -> str:
    return token_for(OTHER_USER_ID)


@pytest.fixture
def stream(cloud: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The table stream from now on, read by hand; events are posted through the local
    management API (``handle`` in support.py calls the events Lambda on what it read)."""
    from agentplatform.config import get_settings
    from local.streams import StreamReader
    from local.websocket import LOCAL_CALLBACK_URL, install_management_api

    install_management_api()
    monkeypatch.setenv("WEBSOCKET_CALLBACK_URL", LOCAL_CALLBACK_URL)
    get_settings.cache_clear()
    yield StreamReader(get_settings().table_name).seek_latest()
    monkeypatch.undo()
    get_settings.cache_clear()
