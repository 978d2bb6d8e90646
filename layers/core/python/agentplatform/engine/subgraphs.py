"""Sub-graph runs (AgentExecutorBlock, spec §3.4).

The parent's node starts a child run and stays RUNNING; the parent's ``plan`` polls it.
When the child finalizes (``engine/resume.py``), its OUTPUT blocks' ``output`` values
become the node's outputs (``(name, value)`` per value), routed like any other, and
the node ends COMPLETED, or FAILED with an ``error`` output when the child did not
complete. The child's id is derived from the node execution's, so a retried start
cannot start a second child.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Protocol

from agentplatform.engine.context import RunContext
from agentplatform.store.executions import ExecutionRepository, RunRef, node_input

_CHILD_NAMESPACE = uuid.UUID("7c0b1c52-3c55-4d0e-9d8e-2f0f5b1f9a11")


class ChildRuns(Protocol):
    """Starting runs, as ``executions.service.ExecutionService`` does. The ``run_node``
    handler registers it: the engine never imports the layer above it."""

    def execute(
        self,
        user_id: str,
        graph_id: str,
        graph_version: int | None,
        inputs: dict[str, Any],
        *,
        nodes_input_masks: dict[str, dict[str, Any]] | None = None,
        parent: dict[str, str] | None = None,
        graph_exec_id: str | None = None,
    ) -> Any: ...
    def queue_and_start(self, ref: RunRef, run: dict[str, Any]) -> bool: ...


_child_runs: Callable[[ExecutionRepository], ChildRuns] | None = None


def use_child_runs(factory: Callable[[ExecutionRepository], ChildRuns]) -> None:
    global _child_runs
    _child_runs = factory


def _runs(repo: ExecutionRepository) -> ChildRuns:
    if _child_runs is None:
        raise RuntimeError("no ChildRuns registered (functions/graph_run/run_node.py does it)")
    return _child_runs(repo)


def child_exec_id(node_exec_id: str) -> str:
    return str(uuid.uuid5(_CHILD_NAMESPACE, node_exec_id))


def start_child(ctx: RunContext, item: dict[str, Any], fail: Callable[[str], None]) -> None:
    """Start the node's child run; ``fail(error)`` fails the node when it cannot start."""
    from agentplatform.store.table import is_condition_failure

    node = ctx.graph.node(item["node_id"])
    defaults = node.input_default
    data = node_input(item)
    properties = (defaults.get("input_schema") or {}).get("properties") or {}
    inputs = {k: v for k, v in data.items() if k in properties} if properties else data
    child_id = child_exec_id(item["node_exec_id"])
    parent = {
        "user_id": ctx.ref.user_id,
        "graph_exec_id": ctx.ref.graph_exec_id,
        "node_exec_id": item["node_exec_id"],
        "root_id": ctx.run.get("root_id") or ctx.ref.graph_exec_id,
        "graph_owner_id": ctx.graph.user_id,  # sub-graphs run under the parent's permission
    }
    ctx.repo.add_child(ctx.ref, child_id, item["node_exec_id"])
    service = _runs(ctx.repo)
    try:
        service.execute(
            ctx.ref.user_id,
            str(defaults.get("graph_id")),
            defaults.get("graph_version"),
            inputs,
            # The parent's masks reach the child's nodes too (credentials chosen at the top).
            nodes_input_masks={**ctx.masks, **(defaults.get("nodes_input_masks") or {})} or None,
            parent=parent,
            graph_exec_id=child_id,
        )
    except Exception as exc:
        if is_condition_failure(exc):  # created by an earlier attempt, which may have died
            child = ctx.repo.get_run(RunRef(ctx.ref.user_id, child_id), include_deleted=True)
            if child is not None:  # before it could start it: start it now (a no-op otherwise)
                service.queue_and_start(RunRef(ctx.ref.user_id, child_id), child)
            return
        fail(str(exc) or type(exc).__name__)
