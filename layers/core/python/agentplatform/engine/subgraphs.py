"""Sub-graph runs (AgentExecutorBlock, spec §3.4).

The parent's node starts a child run and stays RUNNING; the parent's ``plan`` polls it.
When the child finalizes, its OUTPUT blocks' ``output`` values become the node's outputs (``(name, value)``
per value), routed like any other, and the node ends COMPLETED, or FAILED with an
``error`` output when the child did not complete. The child's id is derived from the
node execution's, so a retried start cannot start a second child.
"""

from __future__ import annotations

import uuid
from typing import Any

from agentplatform.engine.context import RunContext, load_context
from agentplatform.models.execution import ExecutionStatus, Stats
from agentplatform.store.executions import RunRef, node_input

_CHILD_NAMESPACE = uuid.UUID("7c0b1c52-3c55-4d0e-9d8e-2f0f5b1f9a11")


def child_exec_id(node_exec_id: str) -> str:
    return str(uuid.uuid5(_CHILD_NAMESPACE, node_exec_id))


def start_child(ctx: RunContext, item: dict[str, Any]) -> None:
    from agentplatform.executions.service import ExecutionService
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
    service = ExecutionService(ctx.repo)
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
        from agentplatform.engine.runner import NodeRun

        NodeRun(ctx, item).replay([("error", str(exc) or type(exc).__name__)], ExecutionStatus.FAILED)


def resume_parent(
    child: dict[str, Any],
    status: ExecutionStatus,
    outputs: list[tuple[str, Any]],
    child_stats: Stats | None = None,
) -> None:
    """Finish the parent's waiting AgentExecutor node with the child run's outputs; as
    upstream, the child's node executions and cost count as the node's extra steps/cost."""
    from agentplatform.engine.runner import NodeRun

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
