"""The reconciler: ends runs whose orchestration is gone, and restarts stalled lines.

Run on a schedule (an EventBridge rule in AWS, a timer in the local cloud). It reads the
runs in flight from the sparse active-runs index (keys only, one query per shard, no
scan) and, for each run admitted long enough ago (``RECONCILE_GRACE_SECONDS``), asks Step
Functions about its current execution. A run whose execution has ended (failed, timed
out, aborted, or succeeded without finalizing it) or does not exist (never started, or
lost) while the table still says QUEUED/RUNNING is ended FAILED with that cause, through the same path as the
state machine's own failure path (its slot freed, a waiting parent node released). For a
(user, graph) with runs waiting in line, a hand-off a crash interrupted is redone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agentplatform.config import get_settings
from agentplatform.engine import admission, launcher
from agentplatform.engine.finalizer import finalize
from agentplatform.models.execution import TERMINAL, ExecutionStatus
from agentplatform.observability import log_scope
from agentplatform.store.executions import ExecutionRepository, RunRef

logger = logging.getLogger(__name__)


@dataclass
class Report:
    checked: int = 0
    ended: dict[str, str] = field(default_factory=dict)  # run id -> cause
    lines: int = 0  # (user, graph) lines with runs waiting, handed on

    def as_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "ended": self.ended, "lines": self.lines}


def _age_seconds(stamp: str | None) -> float:
    if not stamp:
        return float("inf")
    return (datetime.now(UTC) - datetime.fromisoformat(stamp)).total_seconds()


def _lost_cause(run: dict[str, Any]) -> str | None:
    """Why the run's orchestration is gone, or None while its execution is running."""
    part = int(run.get("part", 0) or 0)
    status, cause = launcher.describe(run["id"], part)
    name = launcher.execution_name(run["id"], part)
    if status == "RUNNING":
        return None
    if status is None:
        return f"The run's state machine execution {name} does not exist (it never started, or is gone)"
    detail = f": {cause}" if cause else ""
    return f"The run's state machine execution {name} ended {status} before the run did{detail}"


def reconcile(repo: ExecutionRepository | None = None, *, grace_seconds: float | None = None) -> Report:
    repo = repo or ExecutionRepository()
    grace = get_settings().reconcile_grace_seconds if grace_seconds is None else grace_seconds
    report = Report()
    lines: set[tuple[str, str]] = set()
    for run in repo.active_runs():
        report.checked += 1
        if ExecutionStatus(run["status"]) in TERMINAL:
            continue
        if not run.get("launched_at"):
            lines.add((run["user_id"], run["graph_id"]))  # waiting in line
            continue
        if _age_seconds(run.get("launched_at")) < grace:
            continue
        cause = _lost_cause(run)
        if cause is None:
            continue
        with log_scope(user_id=run["user_id"], graph_exec_id=run["id"]):
            logger.warning("Ending run %s: %s", run["id"], cause)
            finalize(RunRef(run["user_id"], run["id"]), repo, error=cause)
        report.ended[run["id"]] = cause
    for user_id, graph_id in sorted(lines):
        admission.admit_waiting(repo, user_id, graph_id)
        report.lines += 1
    return report
