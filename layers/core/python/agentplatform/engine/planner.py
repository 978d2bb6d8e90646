"""``plan``: what the state machine does next, from what the last wave queued.

``run_node`` returns the ids it queued, so planning needs no table scan: the next
wave is those ids, split into at most ``max_batches`` batches (one Lambda each, so
the Map's concurrency is used fully without one history entry per node). Nodes
waiting on a sub-graph run are polled. Past the history budget the run continues in
a fresh execution (continue-as-new).

Every run ends. Plan counts the node executions run so far (``executed``, carried in
the payload across waves and continuations); once ``MAX_NODE_EXECUTIONS_PER_RUN`` are
spent with work still queued, or the run has outlived ``timeout_seconds``, it answers
``fail`` and the state machine's failure path ends the run FAILED with the reason. A
wave shares what is left of the budget among its batches: ``spare`` is how many runs a
batch may chain beyond its own ids. A run something else ended (stopped, or failed by
the reconciler) is only finalized.
"""

from __future__ import annotations

import time
from typing import Any

from agentplatform.config import get_settings
from agentplatform.engine import launcher
from agentplatform.engine.step_errors import RUN_FAILED
from agentplatform.models.execution import TERMINAL, ExecutionStatus
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


def chunk(ids: list[str], count: int) -> list[list[str]]:
    """Split into at most ``count`` batches of near-equal size, order kept."""
    count = max(1, min(count, len(ids)))
    size, extra = divmod(len(ids), count)
    batches, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        batches.append(ids[start:end])
        start = end
    return batches


def _dedupe(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _first_plan(repo: ExecutionRepository, ref: RunRef, run: dict[str, Any]) -> tuple[list[str], bool]:
    """QUEUED -> RUNNING and the starting node executions; (ids, should_run)."""
    item = repo.set_run_status_from(ref, ExecutionStatus.QUEUED, ExecutionStatus.RUNNING, started_at=now())
    if item is None:
        # A retried Plan finds the run RUNNING already: carry on. Anything else (stopped
        # before it started) is only finalized.
        current = repo.get_run(ref, include_deleted=True)
        if current is None or current["status"] != ExecutionStatus.RUNNING.value:
            return [], False
    queued = [n["node_exec_id"] for n in repo.node_execs(ref) if n["status"] == ExecutionStatus.QUEUED.value]
    return queued, True


def plan(payload: dict[str, Any], repo: ExecutionRepository | None = None) -> dict[str, Any]:
    repo = repo or ExecutionRepository()
    run = dict(payload["run"])
    max_batches = int(payload.get("max_batches") or 10)
    results = payload.get("results") or []
    ref = RunRef(run["user_id"], run["graph_exec_id"])
    queued = list(run.pop("pending", [])) + [i for r in results for i in r.get("queued", [])]
    waiting = list(run.get("waiting", [])) + [i for r in results for i in r.get("waiting", [])]
    run["events"] = int(run.get("events", 0)) + EVENTS_PER_PLAN
    run["executed"] = int(run.get("executed", 0)) + sum(int(r.get("ran", 0)) for r in results)
    if results:
        run["events"] += EVENTS_PER_MAP + EVENTS_PER_BATCH * len(results)
    if not run.get("started"):
        run["started"] = True
        run["started_epoch"] = time.time()
        starting, should_run = _first_plan(repo, ref, run)
        if not should_run:
            return _answer(run, "finalize")
        queued = starting + queued
    elif repo.run_has_ended(ref):  # stopped, or failed by the reconciler
        return _answer(run, "finalize")
    if any(r.get("lost") for r in results):
        return _fail(run, "A batch of node executions failed, and so did recording its failure")
    timeout = int(payload.get("timeout_seconds") or 0)
    if timeout and "started_epoch" in run:
        run["deadline"] = float(run["started_epoch"]) + timeout  # run_node stops chaining there
    if waiting:
        queued, waiting = _collect_waiting(repo, ref, queued, waiting)
    run["waiting"] = waiting
    queued = _dedupe(queued)
    if run.pop("overflow", False) or any(r.get("overflow") for r in results) or len(queued) > WAVE_IDS_MAX:
        # Too many to carry: the table's QUEUED executions are the pending work.
        queued = repo.queued_node_exec_ids(ref)
        if len(queued) > WAVE_IDS_MAX:
            queued, run["overflow"] = queued[:WAVE_IDS_MAX], True
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
        batches = chunk(queued, max_batches)
        # A fresh part always runs a wave, however large, so it cannot loop on continuing.
        if run.get("waves", 0) and _over_budget(run["events"], len(batches)):
            return _continue(repo, ref, run, queued + later)
        run["waves"] = run.get("waves", 0) + 1
        run["spare"] = (remaining - len(queued)) // len(batches)
        if later:
            run["pending"] = later
        return _answer(run, "run", batches)
    if waiting:
        run["events"] += EVENTS_PER_WAIT
        return _answer(run, "wait")
    return _answer(run, "finalize")


def _answer(run: dict[str, Any], action: str, batches: list[list[str]] | None = None) -> dict[str, Any]:
    return {"run": run, "action": action, "batches": batches or [], "results": []}


def _fail(run: dict[str, Any], message: str) -> dict[str, Any]:
    """Route to the failure path, with an error shaped like a Catch's."""
    return {**_answer(run, "fail"), "error": {"Error": RUN_FAILED, "Cause": message}}


def _over_budget(events: int, batch_count: int) -> bool:
    next_wave = EVENTS_PER_MAP + EVENTS_PER_BATCH_WORST * batch_count + EVENTS_PER_PLAN
    return events + next_wave > HISTORY_LIMIT - HISTORY_RESERVE


def _collect_waiting(
    repo: ExecutionRepository, ref: RunRef, queued: list[str], waiting: list[str]
) -> tuple[list[str], list[str]]:
    still: list[str] = []
    by_id = {item["node_exec_id"]: item for item in repo.get_node_execs(ref, _dedupe(waiting))}
    for node_exec_id in _dedupe(waiting):
        item = by_id.get(node_exec_id)
        if item is not None and ExecutionStatus(item["status"]) in TERMINAL:
            queued.extend(item.get("queued") or [])
        elif item is not None:
            still.append(node_exec_id)
    return queued, still


def _continue(
    repo: ExecutionRepository, ref: RunRef, run: dict[str, Any], queued: list[str]
) -> dict[str, Any]:
    part = int(run.get("part", 0)) + 1
    successor = {**run, "part": part, "events": 0, "waves": 0, "pending": queued}
    repo.set_run_fields(ref, part=part, launched_at=now())
    launcher.start(successor, part)
    return _answer(run, "continued")
