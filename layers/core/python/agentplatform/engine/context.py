"""What a graph-run Lambda needs to know about the run it works on.

Graph versions are immutable, so a warm Lambda keeps the graphs it has loaded. Whether
the run has ended (stopped, or failed) is re-read at most every ``STATUS_MAX_AGE_SECONDS``:
``run_node`` asks before every node it claims and every output it records, so a stop
takes effect within that (plus the block step already under way), at the cost of one
small read per interval rather than one per node.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from agentplatform.models.execution import TERMINAL, ExecutionStatus
from agentplatform.models.graph import GraphModel
from agentplatform.store.executions import ExecutionRepository, RunRef
from agentplatform.store.graphs import GraphRepository
from agentplatform.store.table import unpack

_graphs: dict[tuple[str, str, int], GraphModel] = {}
_graphs_lock = threading.Lock()
_CACHE_MAX = 256
STATUS_MAX_AGE_SECONDS = 0.5


def load_graph(user_id: str, graph_id: str, version: int) -> GraphModel:
    key = (user_id, graph_id, version)
    graph = _graphs.get(key)
    if graph is None:
        graph = GraphRepository().get(user_id, graph_id, version)
        with _graphs_lock:
            if len(_graphs) >= _CACHE_MAX:
                _graphs.clear()
            _graphs[key] = graph
    return graph


@dataclass
class RunContext:
    ref: RunRef
    run: dict[str, Any]
    graph: GraphModel
    repo: ExecutionRepository
    status_read_at: float = field(default=float("-inf"), repr=False)
    has_ended: bool = field(default=False, repr=False)

    def ended(self, max_age: float = STATUS_MAX_AGE_SECONDS) -> bool:
        """Whether the run has ended, from a read at most ``max_age`` seconds old."""
        if not self.has_ended and time.monotonic() - self.status_read_at >= max_age:
            self.has_ended = self.repo.run_has_ended(self.ref)
            self.status_read_at = time.monotonic()
        return self.has_ended

    @property
    def masks(self) -> dict[str, dict[str, Any]]:
        raw = self.run.get("nodes_input_masks")
        return (unpack(raw) if raw is not None else None) or {}


def run_ref(payload: dict[str, Any]) -> RunRef:
    return RunRef(str(payload["user_id"]), str(payload["graph_exec_id"]))


def load_context(ref: RunRef, repo: ExecutionRepository | None = None) -> RunContext | None:
    repo = repo or ExecutionRepository()
    run = repo.get_run(ref, include_deleted=True)
    if run is None:
        return None
    owner = run.get("graph_owner_id") or ref.user_id  # another user's for marketplace agents
    graph = load_graph(owner, run["graph_id"], int(run["graph_version"]))
    ended = ExecutionStatus(run["status"]) in TERMINAL
    return RunContext(ref, run, graph, repo, status_read_at=time.monotonic(), has_ended=ended)
