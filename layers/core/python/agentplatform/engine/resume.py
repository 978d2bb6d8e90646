"""Finishing a parent's AgentExecutor node when its sub-graph run ends (spec §3.4).

Called by the child's ``finalize`` and when a child is stopped; see ``subgraphs.py``
for how the child starts.
"""

from __future__ import annotations

from typing import Any

from agentplatform.engine.context import load_context
from agentplatform.engine.runner import NodeRun
from agentplatform.models.execution import ExecutionStatus, Stats
from agentplatform.store.executions import RunRef


def resume_parent(
    child: dict[str, Any],
    status: ExecutionStatus,
    outputs: list[tuple[str, Any]],
    child_stats: Stats | None = None,
) -> None:
    """Finish the parent's waiting AgentExecutor node with the child run's outputs; as
    upstream, the child's node executions and cost count as the node's extra steps/cost."""
    parent = child["parent"]
    ctx = load_context(RunRef(parent["user_id"], parent["graph_exec_id"]))
    if ctx is None:
        return
    items = ctx.repo.get_node_execs(ctx.ref, [parent["node_exec_id"]])
    if not items or items[0]["status"] != ExecutionStatus.RUNNING.value:
        return
    produced = list(outputs)
    final = ExecutionStatus.COMPLETED
    if status != ExecutionStatus.COMPLETED:
        produced.append(("error", f"Sub-graph execution #{child['id']} ended with status {status.value}"))
        final = ExecutionStatus.FAILED
    try:
        extra = None
        if child_stats is not None:
            extra = {"extra_steps": child_stats.node_exec_count, "extra_cost": child_stats.cost}
        NodeRun(ctx, items[0]).replay(produced, final, extra)
    except Exception as exc:
        if type(exc).__name__ != "_Abandon":
            raise
