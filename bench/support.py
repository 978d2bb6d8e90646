"""What several benches share: serving the local cloud over real sockets, percentiles,
and DynamoDB's JSON wire format for the benches that answer requests in-process."""

from __future__ import annotations

import base64
import socket
import threading
import time
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(cloud: Any) -> tuple[Any, threading.Thread, int]:
    """The local gateway (REST and ``/ws``) of a started ``LocalCloud`` under uvicorn on
    a free port: (server, its thread, the port). Stop with ``server.should_exit = True``."""
    import uvicorn

    from local.server import LocalGateway

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(LocalGateway(cloud), host="127.0.0.1", port=port, lifespan="on", log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return server, thread, port


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile (``pct`` in 0..100)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def wire_item(item: dict[str, Any]) -> dict[str, Any]:
    """An item in DynamoDB's JSON wire format (binary attributes base64-encoded)."""
    from agentplatform.store.table import to_attrs

    def encode(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: base64.b64encode(v).decode() if k == "B" else encode(v) for k, v in value.items()}
        if isinstance(value, list):
            return [encode(v) for v in value]
        return value

    return encode(to_attrs(item))


class RawBody:
    """A canned HTTP response body, readable the ways botocore reads one."""

    def __init__(self, body: bytes):
        self.body, self._read = body, False

    def stream(self, **_: Any) -> Any:
        yield self.body

    def read(self, amt: int | None = None) -> bytes:
        if self._read:
            return b""
        self._read = True
        return self.body
