"""Admission: a run starts only when its (user, graph) has a free slot (spec §3.7).

At most ``MAX_CONCURRENT_GRAPH_EXECUTIONS_PER_USER`` runs of one user's graph hold a
slot (admitted, not ended); RUNNING is a subset. A run over the cap is not refused: it
waits QUEUED, in line, and no state machine runs for it. ``admit_waiting`` starts the
oldest waiting runs while slots are free; it runs after a run is queued and after every
run that held a slot ends (finalize, stop, the reconciler), so waiting runs start in
order as earlier ones end, and the reconciler repairs a hand-off a crash interrupted.
Sub-graph runs take no slot: their root run holds one, and a child waiting for a slot
its own ancestors hold could never start. (Design: docs/adr/0012-run-admission-and-reconciliation.md.)
"""

from __future__ import annotations

import logging
from typing import Any

from agentplatform.config import get_settings
from agentplatform.engine import launcher
from agentplatform.models.execution import ExecutionStatus, Stats
from agentplatform.store.executions import ExecutionRepository, RunRef, now
from agentplatform.store.run_queue import Admission, RunQueue
from agentplatform.store.table import pack

logger = logging.getLogger(__name__)

# Admissions one call makes at most: each frees nothing, so this only bounds a call
# that keeps losing races to other admitters.
_ADMIT_ATTEMPTS = 100


def initial_payload(ref: RunRef, graph_id: str, graph_version: int) -> dict[str, Any]:
    """The state machine's input for a run's first execution."""
    return {
        "user_id": ref.user_id,
        "graph_exec_id": ref.graph_exec_id,
        "graph_id": graph_id,
        "graph_version": graph_version,
        "part": 0,
        "events": 0,
        "started": False,
        "waiting": [],
    }


def queue(
    repo: ExecutionRepository, ref: RunRef, run: dict[str, Any], *, capped: bool
) -> list[tuple[RunRef, Exception]] | None:
    """INCOMPLETE -> QUEUED, then start what may start. Returns the runs that failed to
    start (each now FAILED), or None if the run was queued already."""
    if not RunQueue(repo.table).enqueue(ref, run, capped=capped):
        return None
    if capped:
        return admit_waiting(repo, ref.user_id, run["graph_id"])
    return _start(repo, ref, run["graph_id"], int(run["graph_version"]))


def admit_waiting(repo: ExecutionRepository, user_id: str, graph_id: str) -> list[tuple[RunRef, Exception]]:
    """Admit and start the (user, graph)'s oldest waiting runs while slots are free."""
    runs, cap = RunQueue(repo.table), get_settings().max_concurrent_graph_executions_per_user
    failed: list[tuple[RunRef, Exception]] = []
    for _ in range(_ADMIT_ATTEMPTS):
        waiting = runs.oldest(user_id, graph_id)
        if waiting is None:
            break
        outcome = runs.admit(waiting, cap)
        if outcome is Admission.FULL:
            break
        if outcome is Admission.ADMITTED:
            failed += _start(repo, waiting.ref, waiting.graph_id, waiting.graph_version)
    return failed


def _start(
    repo: ExecutionRepository, ref: RunRef, graph_id: str, graph_version: int
) -> list[tuple[RunRef, Exception]]:
    try:
        launcher.start(initial_payload(ref, graph_id, graph_version))
    except Exception as exc:
        logger.warning("Starting run %s failed: %s", ref.graph_exec_id, type(exc).__name__)
        fail_start(repo, ref, str(exc) or type(exc).__name__)
        return [(ref, exc)]
    return []


def fail_start(repo: ExecutionRepository, ref: RunRef, error: str) -> None:
    """As upstream when publishing a run fails: its node executions and the run end FAILED."""
    for node in repo.node_execs(ref):
        repo.set_node_status(ref, node["node_exec_id"], ExecutionStatus.FAILED, end_time=now())
    # Its slot comes back with it; admit_waiting's loop gives it to the next in line.
    repo.end_run(ref, ExecutionStatus.FAILED, ended_at=now(), stats=pack(Stats(error=error).model_dump()))


def released(repo: ExecutionRepository, ended: dict[str, Any] | None) -> None:
    """After a run ended: if it held a slot, the next in line may start."""
    if ended is not None and ended.get("slot"):
        admit_waiting(repo, ended["user_id"], ended["graph_id"])
