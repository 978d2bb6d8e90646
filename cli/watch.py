"""Following a run: its events over the WebSocket, or polling the REST API.

The WebSocket subscription asks for ``since_seq: 0``, so events the run produced before
the socket opened are replayed: nothing between starting the run and subscribing is
missed. Live events may overtake the replay, so events are told apart by ``seq`` (each
applied once) and a node or run keeps the newest event about it (an older one arriving
late changes nothing). Where no WebSocket answers (a deployment whose ``--ws-url`` is
unknown), the run is polled instead.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cli.client import Api, CliError

TERMINAL = {"COMPLETED", "FAILED", "TERMINATED"}
_RECEIVE_SECONDS = 30.0
_POLL_SECONDS = 1.0


@dataclass
class NodeState:
    node_exec_id: str
    node_id: str
    block_id: str
    status: str
    start_time: str | None = None
    end_time: str | None = None
    error: str | None = None
    seen_running_at: float | None = None  # local clock, for the live elapsed time


@dataclass
class RunState:
    graph_exec_id: str
    status: str = "QUEUED"
    nodes: dict[str, NodeState] = field(default_factory=dict)
    last_seq: int = 0  # the newest event seen
    seen: set[int] = field(default_factory=set)
    newest: dict[str, int] = field(default_factory=dict)  # node execution or run id -> seq applied

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    def apply_node(self, data: dict[str, Any]) -> NodeState:
        errors = (data.get("output_data") or {}).get("error")
        node = self.nodes.get(data["node_exec_id"])
        if node is None:
            node = NodeState(data["node_exec_id"], data["node_id"], data["block_id"], data["status"])
            self.nodes[node.node_exec_id] = node
        node.status = data["status"]
        node.start_time, node.end_time = data.get("start_time"), data.get("end_time")
        node.error = "; ".join(str(e) for e in errors) if errors else None
        if node.status == "RUNNING" and node.seen_running_at is None:
            node.seen_running_at = time.monotonic()
        return node

    def apply(self, message: dict[str, Any]) -> bool:
        """Apply one event message; False when it changes nothing (seen already, or older
        than what is known of its node or run)."""
        seq, data, method = message.get("seq"), message.get("data") or {}, message.get("method")
        subject = data.get("node_exec_id") if method == "node_execution_event" else data.get("id")
        if isinstance(seq, int):
            if seq in self.seen or seq < self.newest.get(str(subject), 0):
                return False
            self.seen.add(seq)
            self.last_seq = max(self.last_seq, seq)
            self.newest[str(subject)] = seq
        if method == "node_execution_event":
            self.apply_node(data)
        elif method == "graph_execution_event" and data.get("id") == self.graph_exec_id:
            self.status = data["status"]
        return True


Listener = Callable[[RunState], None]


def follow_websocket(api: Api, state: RunState, on_change: Listener, deadline: float | None) -> None:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    url = f"{api.session.ws_url}?token={api.session.token}"
    with connect(url, open_timeout=10, max_size=None) as socket:
        subscribe = {"graph_exec_id": state.graph_exec_id, "since_seq": 0}
        socket.send(json.dumps({"method": "subscribe_graph_execution", "data": subscribe}))
        while not state.finished:
            _check_deadline(deadline)
            try:
                raw = socket.recv(timeout=_RECEIVE_SECONDS)
            except TimeoutError:
                socket.send(json.dumps({"method": "heartbeat", "data": "ping"}))
                continue
            except ConnectionClosed as exc:
                raise CliError(f"the WebSocket closed: {exc}") from None
            message = json.loads(raw)
            if message.get("success") is False:
                raise CliError(f"subscribing to the run failed: {message.get('error')}")
            if state.apply(message):
                on_change(state)


def poll(api: Api, graph_id: str, state: RunState, on_change: Listener, deadline: float | None) -> None:
    while not state.finished:
        _check_deadline(deadline)
        run = api.get(f"/api/graphs/{graph_id}/executions/{state.graph_exec_id}")
        for node in run.get("node_executions") or []:
            state.apply_node(node)
        state.status = run["status"]
        on_change(state)
        if not state.finished:
            time.sleep(_POLL_SECONDS)


def follow(api: Api, graph_id: str, state: RunState, on_change: Listener, timeout: float | None) -> str:
    """Watch the run until it ends; returns how it was watched (``websocket``/``polling``)."""
    from websockets.exceptions import WebSocketException

    deadline = None if not timeout else time.monotonic() + timeout
    try:
        follow_websocket(api, state, on_change, deadline)
        return "websocket"
    except (OSError, WebSocketException) as exc:  # no WebSocket there: refused, bad handshake
        if state.last_seq:
            raise CliError(f"lost the WebSocket: {exc}") from None
    poll(api, graph_id, state, on_change, deadline)
    return "polling"


def _check_deadline(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise CliError("timed out waiting for the run (it goes on; see `agentplatform run show`)")
