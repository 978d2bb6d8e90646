"""``plan``: what the state machine does next, from what the last wave queued.

``run_node`` returns the ids it queued (with their nodes), so planning needs no table
scan: the next wave is those ids, grouped by sub-DAG (``engine/grouping.py``: a node's
executions and work that meets downstream stay together) and packed into at most
``max_batches`` batches (one Lambda each, so the Map's concurrency is used without one
history entry per node). Past ``WAVE_IDS_MAX`` ids, the rest waits in spilled chunks a
cursor walks (ADR 0020). Nodes waiting on a sub-graph run are polled. Past the history
budget the run continues in a fresh execution (continue-as-new).

Every run ends. Plan counts the node executions run so far (``executed``, carried in
the payload across waves and continuations); once ``MAX_NODE_EXECUTIONS_PER_RUN`` are
spent with work still queued, or the run has outlived ``timeout_seconds``, it answers
``fail`` and the state machine's failure path ends the run FAILED with the reason. A
wave shares what is left of the budget among its batches: ``spare`` is how many runs a
batch may chain beyond its own ids. A run something else ended (stopped, or failed by
the reconciler) is only finalized.

When only nodes paused for human review are left (``reviewing``), the run moves to
REVIEW and plan answers ``paused``: the execution ends, and the review API resumes the
run as its next part (engine/review.py).
"""

from __future__ import annotations

import time
from typing import Any

from agentplatform.config import get_settings
from agentplatform.engine import launcher, review
from agentplatform.engine.context import load_graph
from agentplatform.engine.grouping import Work, groups, node_indices, nodes_of, pack
from agentplatform.engine.step_errors import RUN_FAILED
from agentplatform.models.execution import TERMINAL, ExecutionStatus
from agentplatform.models.graph import GraphModel
from agentplatform.store.executions import ExecutionRepository, RunRef, now

# Step Functions history entries, measured on this definition (see bench/engine.py):
# a Plan task + Choice cost 7, a Map 4, each Map iteration running one batch 7.
EVENTS_PER_PLAN = 7
EVENTS_PER_MAP = 4
EVENTS_PER_BATCH = 7
EVENTS_PER_WAIT = 2
# Worst case per batch when every retry and the Catch fire (6 retries + FailBatch).
EVENTS_PER_BATCH_WORST = EVENTS_PER_BATCH + 6 * 3 + 5
HISTORY_LIMIT = 25_000
# Ids dispatched per wave: the Map's input must stay well under 256 KB.
WAVE_IDS_MAX = 1000
# Room kept for the last wave, Finalize and the continuation itself.
HISTORY_RESERVE = 500


def _dedupe(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _first_plan(repo: ExecutionRepository, ref: RunRef, run: dict[str, Any]) -> tuple[Work, bool]:
    """QUEUED -> RUNNING and the starting node executions; (work, should_run)."""
    item = repo.set_run_status_from(ref, ExecutionStatus.QUEUED, ExecutionStatus.RUNNING, started_at=now())
    if item is None:
        # A retried Plan finds the run RUNNING already: carry on. Anything else (stopped
        # before it started) is only finalized.
        item = repo.get_run(ref, include_deleted=True)
        if item is None or item["status"] != ExecutionStatus.RUNNING.value:
            return Work(), False
    run["owner"] = item.get("graph_owner_id") or ref.user_id
    queued = [n for n in repo.node_execs(ref) if n["status"] == ExecutionStatus.QUEUED.value]
    return Work([n["node_exec_id"] for n in queued], [n["node_id"] for n in queued]), True


def plan(payload: dict[str, Any], repo: ExecutionRepository | None = None) -> dict[str, Any]:
    repo = repo or ExecutionRepository()
    run = dict(payload["run"])
    max_batches = int(payload.get("max_batches") or 10)
    results = payload.get("results") or []
    ref = RunRef(run["user_id"], run["graph_exec_id"])
    waiting = list(run.get("waiting", [])) + [i for r in results for i in r.get("waiting", [])]
    reviewing = list(run.get("reviewing", [])) + [i for r in results for i in r.get("reviewing", [])]
    if reviewing:
        run["reviewing"] = _dedupe(reviewing)
    run["events"] = int(run.get("events", 0)) + EVENTS_PER_PLAN
    run["executed"] = int(run.get("executed", 0)) + sum(int(r.get("ran", 0)) for r in results)
    if results:
        run["events"] += EVENTS_PER_MAP + EVENTS_PER_BATCH * len(results)
    starting = Work()
    if not run.get("started"):
        run["started"] = True
        run["started_epoch"] = time.time()
        starting, should_run = _first_plan(repo, ref, run)
        if not should_run:
            return _answer(run, "finalize")
    elif repo.run_has_ended(ref):  # stopped, or failed by the reconciler
        return _answer(run, "finalize")
    if any(r.get("lost") for r in results):
        return _fail(run, "A batch of node executions failed, and so did recording its failure")
    graph = _graph(repo, ref, run)
    heads, tails, spilled = _incoming(graph, run, results)
    heads = starting + heads
    timeout = int(payload.get("timeout_seconds") or 0)
    if timeout and "started_epoch" in run:
        run["deadline"] = float(run["started_epoch"]) + timeout  # run_node stops chaining there
    if waiting:
        waiting = _collect_waiting(repo, ref, tails, waiting)
    run["waiting"] = waiting
    if run.pop("overflow", False) or any(r.get("overflow") for r in results):
        # A retried batch lost the ids a node queued (too many to keep on it): the
        # table's QUEUED executions are the whole pending work. Read once, then walked.
        found = repo.queued_node_execs(ref)
        heads, tails, spilled = Work([i for i, _ in found], [n for _, n in found]), Work(), []
        run.pop("cursor", None)
    queued = _next_wave(repo, ref, graph, run, heads, tails, spilled)
    if (queued or waiting) and time.time() > float(run.get("deadline") or "inf"):
        return _fail(run, f"The run exceeded its time limit of {timeout} seconds")
    if queued:
        limit = get_settings().max_node_executions_per_run
        remaining = limit - run["executed"]
        if remaining <= 0:
            return _fail(
                run,
                f"The run reached its limit of {limit} node executions "
                "(MAX_NODE_EXECUTIONS_PER_RUN) with more still queued",
            )
        queued, later = queued[:remaining], queued[remaining:]
        _resolve_nodes(repo, ref, queued)
        batches = [[queued.ids[i] for i in batch] for batch in pack(groups(graph, queued.nodes), max_batches)]
        # A fresh part always runs a wave, however large, so it cannot loop on continuing.
        if run.get("waves", 0) and _over_budget(run["events"], len(batches)):
            return _continue(repo, ref, run, graph, queued + later)
        run["waves"] = run.get("waves", 0) + 1
        run["spare"] = (remaining - len(queued)) // len(batches)
        if later:
            run["pending"], run["pending_nodes"] = later.ids, node_indices(graph, later.nodes)
        return _answer(run, "run", batches)
    if waiting:
        run["events"] += EVENTS_PER_WAIT
        return _answer(run, "wait")
    if reviewing and review.pause(repo, ref, run):
        return _answer(run, "paused")
    return _answer(run, "finalize")


def _incoming(
    graph: GraphModel, run: dict[str, Any], results: list[dict[str, Any]]
) -> tuple[Work, Work, list[str]]:
    """(heads, tails, spilled chunks): ids handed back unrun (and carried ones), which
    are older than anything waiting in the cursor; ids newly queued; chunks of more."""
    heads, tails, spilled = Work(), Work(), []
    pending = run.pop("pending", [])
    heads.extend(pending, nodes_of(graph, run.pop("pending_nodes", None), len(pending)))
    for result in results:
        ids = result.get("queued", [])
        nodes, returned = nodes_of(graph, result.get("nodes"), len(ids)), int(result.get("returned", 0))
        heads.extend(ids[:returned], nodes[:returned])
        tails.extend(ids[returned:], nodes[returned:])
        spilled.extend(result.get("spilled", []))
    return heads, tails, spilled


def _next_wave(
    repo: ExecutionRepository,
    ref: RunRef,
    graph: GraphModel,
    run: dict[str, Any],
    heads: Work,
    tails: Work,
    spilled: list[str],
) -> Work:
    """At most ``WAVE_IDS_MAX`` ids, in queue order: heads, then the spilled chunks the
    cursor walks (``run["cursor"]``: [chunk, offset] pairs), then tails, then chunks
    run_node spilled. What does not fit goes to chunks, so no wave reads the partition."""
    cursor: list[list[Any]] = [list(entry) for entry in run.pop("cursor", [])]
    if not cursor and not spilled and len(heads) + len(tails) <= WAVE_IDS_MAX:
        return (heads + tails).deduped()
    wave, rest = heads[:WAVE_IDS_MAX], heads[WAVE_IDS_MAX:]
    if not cursor and not rest:
        room = WAVE_IDS_MAX - len(wave)
        wave, tails = wave + tails[:room], tails[room:]
    cursor = _spill(repo, ref, graph, rest) + cursor + _spill(repo, ref, graph, tails)
    cursor += [[chunk_id, 0] for chunk_id in spilled]
    while cursor and len(wave) < WAVE_IDS_MAX:
        chunk_id, offset = cursor[0]
        ids, indices = repo.read_work(ref, chunk_id)
        end = offset + WAVE_IDS_MAX - len(wave)
        wave = wave + Work(ids[offset:end], nodes_of(graph, indices, len(ids))[offset:end])
        if end >= len(ids):
            cursor.pop(0)
        else:
            cursor[0][1] = end
    if cursor:
        run["cursor"] = cursor
    return wave.deduped()


def _spill(repo: ExecutionRepository, ref: RunRef, graph: GraphModel, work: Work) -> list[list[Any]]:
    if not work:
        return []
    return [[c, 0] for c in repo.spill_work(ref, work.ids, node_indices(graph, work.nodes))]


def _graph(repo: ExecutionRepository, ref: RunRef, run: dict[str, Any]) -> GraphModel:
    """The run's graph (cached per warm Lambda); its owner is carried in the payload."""
    if "owner" not in run:  # a payload from before owners were carried
        item = repo.get_run(ref, include_deleted=True) or {}
        run["owner"] = item.get("graph_owner_id") or ref.user_id
    return load_graph(run["owner"], run["graph_id"], int(run["graph_version"]))


def _resolve_nodes(repo: ExecutionRepository, ref: RunRef, work: Work) -> None:
    """Fill in the nodes of ids that came without one (queued by an earlier attempt)."""
    unknown = [i for i, node in zip(work.ids, work.nodes, strict=True) if node is None]
    if not unknown:
        return
    found = {
        item["node_exec_id"]: item["node_id"]
        for item in repo.get_node_execs(ref, unknown, attributes=("node_exec_id", "node_id"))
    }
    work.nodes = [node or found.get(i) for i, node in zip(work.ids, work.nodes, strict=True)]


def _answer(run: dict[str, Any], action: str, batches: list[list[str]] | None = None) -> dict[str, Any]:
    return {"run": run, "action": action, "batches": batches or [], "results": []}


def _fail(run: dict[str, Any], message: str) -> dict[str, Any]:
    """Route to the failure path, with an error shaped like a Catch's."""
    return {**_answer(run, "fail"), "error": {"Error": RUN_FAILED, "Cause": message}}


def _over_budget(events: int, batch_count: int) -> bool:
    next_wave = EVENTS_PER_MAP + EVENTS_PER_BATCH_WORST * batch_count + EVENTS_PER_PLAN
    return events + next_wave > HISTORY_LIMIT - HISTORY_RESERVE


def _collect_waiting(repo: ExecutionRepository, ref: RunRef, queued: Work, waiting: list[str]) -> list[str]:
    """Sub-graph nodes still running; finished ones add what they queued to ``queued``."""
    still: list[str] = []
    by_id = {item["node_exec_id"]: item for item in repo.get_node_execs(ref, _dedupe(waiting))}
    for node_exec_id in _dedupe(waiting):
        item = by_id.get(node_exec_id)
        if item is not None and ExecutionStatus(item["status"]) in TERMINAL:
            ids = list(item.get("queued") or [])
            queued.extend(ids, [None] * len(ids))
        elif item is not None:
            still.append(node_exec_id)
    return still


def _continue(
    repo: ExecutionRepository, ref: RunRef, run: dict[str, Any], graph: GraphModel, queued: Work
) -> dict[str, Any]:
    part = int(run.get("part", 0)) + 1
    successor = {**run, "part": part, "events": 0, "waves": 0}
    successor.update(pending=queued.ids, pending_nodes=node_indices(graph, queued.nodes))
    repo.set_run_fields(ref, part=part, launched_at=now())
    launcher.start(successor, part)
    return _answer(run, "continued")
