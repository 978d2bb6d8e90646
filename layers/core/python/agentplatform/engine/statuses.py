"""Status transition guards (spec §2.2): which statuses a target may be entered from.

Every status write is conditioned on the current status being in ``allowed_from``;
a write that fails the guard is a silent no-op, as upstream.
"""

from __future__ import annotations

from agentplatform.models.execution import ExecutionStatus as S

VALID_TRANSITIONS: dict[S, tuple[S, ...]] = {
    S.QUEUED: (S.INCOMPLETE, S.TERMINATED, S.REVIEW),
    S.RUNNING: (S.INCOMPLETE, S.QUEUED, S.TERMINATED, S.REVIEW),
    S.COMPLETED: (S.RUNNING,),
    S.FAILED: (S.INCOMPLETE, S.QUEUED, S.RUNNING, S.REVIEW),
    S.TERMINATED: (S.INCOMPLETE, S.QUEUED, S.RUNNING, S.REVIEW),
    S.REVIEW: (S.RUNNING,),
}


def allowed_from(target: S) -> tuple[S, ...]:
    """Statuses ``target`` may follow. INCOMPLETE is only ever set at creation."""
    if target not in VALID_TRANSITIONS:
        raise ValueError(f"{target} is not a valid update target")
    return VALID_TRANSITIONS[target]
