"""``finalize``: the run's terminal status, graph outputs and stats.

Node failures leave the run COMPLETED, as upstream, unless the graph opted in to
``fail_on_node_error``. A stopped run stays TERMINATED. A sub-graph run then hands its
outputs to the parent's waiting node.

With an ``error`` (the state machine's failure path, or the reconciler) the run ends
FAILED and ``stats.error`` says why. Either way no node execution is left QUEUED or
RUNNING: any still there is TERMINATED, and a run that lost work that way is FAILED.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agentplatform.blocks.block import BlockType
from agentplatform.blocks.registry import get_block
from agentplatform.engine import admission
from agentplatform.models.execution import TERMINAL, ExecutionStatus, Stats
from agentplatform.notifications.producers import run_finished as notify_run_finished
from agentplatform.store.executions import ExecutionRepository, RunRef, node_input, now
from agentplatform.store.table import pack, unpack


def graph_outputs(nodes: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """``{name: [value, ...]}`` from the OUTPUT blocks' *input* (``format`` not applied)."""
    outputs: dict[str, list[Any]] = {}
    ordered = sorted(nodes, key=lambda n: (n.get("queue_time") is None, n.get("queue_time") or n["add_time"]))
    for node in ordered:
        block = get_block(node["block_id"])
        if block is None or block.block_type != BlockType.OUTPUT:
            continue
        if node["status"] == ExecutionStatus.INCOMPLETE.value:
            continue
        data = node_input(node, load=False)  # spilled values stay in S3; readers load them
        outputs.setdefault(str(data.get("name")), []).append(data.get("value"))
    return outputs


def child_outputs(nodes: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """What a sub-graph run hands its parent node (spec §3.4): per OUTPUT execution, in
    queue order, ``(name, value)`` for each value of its ``output`` pin (formatted)."""
    from agentplatform.store.executions import node_result

    produced: list[tuple[str, Any]] = []
    ordered = sorted(nodes, key=lambda n: (n.get("queue_time") is None, n.get("queue_time") or n["add_time"]))
    for node in ordered:
        block = get_block(node["block_id"])
        if block is None or block.block_type != BlockType.OUTPUT:
            continue
        if node["status"] not in (s.value for s in TERMINAL):
            continue
        result = node_result(node)
        name = str(result.input_data.get("name"))
        produced.extend((name, value) for value in result.output_data.get("output", []))
    return produced


def _seconds(start: str | None, end: str | None) -> float:
    if not start or not end:
        return 0.0
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def _block_stats(nodes: list[dict[str, Any]]) -> dict[str, int]:
    """Block-reported counters (LLM calls, tokens, extra cost/steps) summed over nodes."""
    totals: dict[str, int] = {}
    for node in nodes:
        for name, value in (unpack(node["stats"]) if node.get("stats") else {}).items():
            totals[name] = totals.get(name, 0) + int(value)
    return totals


def _stats(run: dict[str, Any], nodes: list[dict[str, Any]], ended: str, error: str | None = None) -> Stats:
    ran = [n for n in nodes if n.get("start_time")]
    reported = _block_stats(nodes)
    # As upstream: a sub-graph's steps and cost count towards the run that started it.
    extra_steps, extra_cost = reported.pop("extra_steps", 0), reported.pop("extra_cost", 0)
    # Credits charged before each node ran (engine/charging.py marks them on the node).
    charged = sum(int(n.get("charged") or 0) for n in nodes)
    return Stats.model_validate(
        {
            "cost": extra_cost + charged,
            "duration": _seconds(run.get("started_at"), ended),
            "node_exec_time": sum(_seconds(n.get("start_time"), n.get("end_time")) for n in ran),
            "node_exec_count": len(ran) + extra_steps,
            "node_error_count": sum(1 for n in nodes if n["status"] == ExecutionStatus.FAILED.value),
            "error": error,
            **reported,
        }
    )


def finalize(
    ref: RunRef, repo: ExecutionRepository | None = None, *, error: str | None = None
) -> dict[str, Any]:
    repo = repo or ExecutionRepository()
    run = repo.get_run(ref, include_deleted=True)
    if run is None:
        return {"status": None}
    nodes = repo.node_execs(ref)
    current = ExecutionStatus(run["status"])
    error = error or run.get("error")  # e.g. stopped for want of credits (engine/charging.py)
    in_review = any(n["status"] == ExecutionStatus.REVIEW.value for n in nodes)
    lost = repo.terminate_unfinished(ref, nodes)
    if in_review:  # the run ends with reviews still open (its failure path): nobody can act on them
        from agentplatform.store.reviews import ReviewRepository

        ReviewRepository(repo.table).cancel_waiting(ref)
    if lost and error is None and current not in TERMINAL:
        error = f"{lost} node executions were left unfinished (their batch failed) and were terminated"
    if current in TERMINAL:  # ended elsewhere (stopped, failed): keep the reason it gave
        error = (unpack(run["stats"]) if run.get("stats") else {}).get("error")
    ended = now()
    stats = _stats(run, nodes, ended, error)
    fields = {"stats": pack(stats.model_dump()), "outputs": pack(graph_outputs(nodes))}
    if current in TERMINAL:
        repo.set_run_fields(ref, **fields)
        status = current
    else:
        failed = error is not None or (bool(run.get("fail_on_node_error")) and stats.node_error_count > 0)
        status = ExecutionStatus.FAILED if failed else ExecutionStatus.COMPLETED
        ended_run = repo.end_run(ref, status, run, ended_at=ended, **fields)
        if ended_run is None:
            status = ExecutionStatus(repo.get_run(ref, include_deleted=True)["status"])  # type: ignore[index]
        admission.released(repo, ended_run)
    notify_run_finished(run, nodes, stats, status)  # a no-op with notifications off
    if run.get("parent"):
        from agentplatform.engine.resume import resume_parent

        resume_parent(run, status, child_outputs(nodes), stats)
    return {"status": status.value}
