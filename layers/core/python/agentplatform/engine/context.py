"""What a graph-run Lambda needs to know about the run it works on.

Graph versions are immutable, so a warm Lambda keeps the graphs it has loaded.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from agentplatform.models.graph import GraphModel
from agentplatform.store.executions import ExecutionRepository, RunRef
from agentplatform.store.graphs import GraphRepository
from agentplatform.store.table import unpack

_graphs: dict[tuple[str, str, int], GraphModel] = {}
_graphs_lock = threading.Lock()
_CACHE_MAX = 256


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
    return RunContext(ref=ref, run=run, graph=graph, repo=repo)
