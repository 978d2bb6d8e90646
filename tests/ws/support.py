"""A WebSocket client for the tests, and runs written the way the engine writes them."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from websockets.sync.client import ClientConnection, connect

# A ceiling on waiting, not an assertion on speed: a message that never comes fails.
RECV_LIMIT_SECONDS = 30.0


class Client:
    """``notifications=False`` (the default) sets aside the ``notification`` messages
    every socket of a user may get (a run finishing, a low balance), so tests about
    execution events see only those; they are kept in ``notifications``."""

    def __init__(self, url: str, *, notifications: bool = False):
        self.socket: ClientConnection = connect(url, open_timeout=RECV_LIMIT_SECONDS)
        self.keep_notifications = notifications
        self.notifications: list[str] = []
        self._overtaken: list[str] = []  # live events that arrived before a subscription's ack

    def send(self, message: dict[str, Any] | str) -> None:
        self.socket.send(message if isinstance(message, str) else json.dumps(message))

    def recv_raw(self) -> str:
        return self._overtaken.pop(0) if self._overtaken else self._from_socket()

    def _from_socket(self) -> str:
        while True:
            raw = self.socket.recv(timeout=RECV_LIMIT_SECONDS)
            text = raw if isinstance(raw, str) else raw.decode()
            if self.keep_notifications or not text.startswith('{"method":"notification"'):
                return text
            self.notifications.append(text)

    def recv(self) -> dict[str, Any]:
        return dict(json.loads(self.recv_raw()))

    def subscribe(self, graph_exec_id: str, since_seq: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {"graph_exec_id": graph_exec_id}
        if since_seq is not None:
            data["since_seq"] = since_seq
        self.send({"method": "subscribe_graph_execution", "data": data})
        return self._reply()

    def subscribe_graph(self, graph_id: str) -> dict[str, Any]:
        self.send({"method": "subscribe_graph_executions", "data": {"graph_id": graph_id}})
        return self._reply()

    def _reply(self) -> dict[str, Any]:
        """The subscription's reply; a live event can overtake it (docs/websocket.md) and
        is kept for the next ``recv``."""
        while True:
            raw = self._from_socket()
            message = dict(json.loads(raw))
            if not str(message["method"]).endswith("_event"):
                return message
            self._overtaken.append(raw)

    def ping(self) -> dict[str, Any]:
        """A round trip: everything posted to this socket before the pong arrives first."""
        self.send({"method": "heartbeat", "data": "ping", "success": True})
        return self.recv()

    def close(self) -> None:
        self.socket.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class RunWriter:
    """Writes a one-node run through the engine's store, as ``run_node`` would."""

    user_id: str
    graph_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    graph_exec_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    node_exec_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    node_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    block_id: str = "db7d8f02-2f44-4c55-ab7a-eae0941f0c30"

    def __post_init__(self) -> None:
        from agentplatform.store.executions import ExecutionRepository, RunRef

        self.repo = ExecutionRepository()
        self.ref = RunRef(self.user_id, self.graph_exec_id)

    def create(self, inputs: dict[str, Any] | None = None) -> None:
        from agentplatform.engine.routing import NewExecution
        from agentplatform.models.execution import ExecutionStatus, GraphExecutionMeta
        from agentplatform.store.executions import node_exec_item, run_item

        meta = GraphExecutionMeta(
            id=self.graph_exec_id,
            user_id=self.user_id,
            graph_id=self.graph_id,
            graph_version=1,
            inputs=inputs or {},
            status=ExecutionStatus.QUEUED,
        )
        at = _now()
        run = run_item(meta, created_at=at)
        node = node_exec_item(
            self.ref,
            run,
            NewExecution(
                self.node_exec_id, self.node_id, self.block_id, True, {"format": "{{a}}", "values": {"a": 1}}
            ),
            at,
        )
        self.repo.create_run(run, [node])

    def start(self) -> None:
        from agentplatform.models.execution import ExecutionStatus

        assert self.repo.set_run_status(self.ref, ExecutionStatus.RUNNING, started_at=_now()) is not None
        assert self.repo.start_node(self.ref, self.node_exec_id) is not None

    def output(
        self, outputs: dict[str, list[Any]], *, prior: int = 0, final: bool = True, status: str = "COMPLETED"
    ) -> None:
        from agentplatform.engine.routing import RouteResult
        from agentplatform.models.execution import ExecutionStatus

        run = self.repo.get_run(self.ref)
        assert run is not None
        committed = self.repo.commit_output(
            self.ref,
            run,
            self.node_exec_id,
            prior=prior,
            out_n=prior + 1,
            outputs=outputs,
            queued=[],
            route=RouteResult(),
            final=(ExecutionStatus(status), _now()) if final else None,
        )
        assert committed

    def finish(self) -> None:
        from agentplatform.models.execution import ExecutionStatus

        assert self.repo.set_run_status(self.ref, ExecutionStatus.COMPLETED, ended_at=_now()) is not None

    def run(self, outputs: dict[str, list[Any]] | None = None) -> None:
        self.create()
        self.start()
        self.output(outputs or {"output": ["1"]})
        self.finish()


def handle(stream: Any, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The events Lambda's answer to a batch of ``records`` read from the ``stream`` fixture."""
    from functions.events.stream import handler
    from local.lambdas import LambdaContext

    return dict(handler(stream.lambda_event(records), LambdaContext(function_name="EventsStreamFunction")))


def run_records(stream: Any) -> list[dict[str, Any]]:
    """The next records the deployed mapping's filter lets through: run and node writes."""
    return [r for r in stream.read() if r["dynamodb"]["Keys"]["pk"]["S"].startswith("GEXEC#")]


class CapturedSocket:
    """An open connection whose socket collects what the management API posts to it
    (the local API Gateway's delivery path, without a client on the other end)."""

    def __init__(self, connection_id: str, user_id: str):
        import asyncio
        import threading
        import time

        from agentplatform.store.connections import ConnectionRepository
        from local.websocket import LIVE, install_management_api

        install_management_api()
        self.connection_id = connection_id
        self._loop = asyncio.new_event_loop()
        self._outbox: asyncio.Queue[Any] = asyncio.Queue()
        threading.Thread(target=self._loop.run_forever, daemon=True).start()
        LIVE.open(connection_id, self._loop, self._outbox)
        self.connections = ConnectionRepository()
        self.connections.add(connection_id, user_id, connected_at=_now(), expires_at=int(time.time()) + 3600)

    def received(self) -> list[dict[str, Any]]:
        """Everything posted so far (and not yet taken), in order."""
        import asyncio

        async def drain() -> list[bytes]:
            taken = []
            while not self._outbox.empty():
                taken.append(self._outbox.get_nowait())
            return taken

        raws = asyncio.run_coroutine_threadsafe(drain(), self._loop).result(RECV_LIMIT_SECONDS)
        return [json.loads(raw) for raw in raws]

    def close(self) -> None:
        from local.websocket import LIVE

        LIVE.forget(self.connection_id)
        self._loop.call_soon_threadsafe(self._loop.stop)
