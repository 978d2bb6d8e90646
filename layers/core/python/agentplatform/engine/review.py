"""Human in the loop (spec §3.9): a node pauses for review, the run waits without cost,
a review action resumes it.

**Gate** (``run_node``, before the block runs). A ``HumanInTheLoopBlock`` node while the
run's ``human_in_the_loop_safe_mode`` is on, or a block with ``is_sensitive_action``
while ``sensitive_action_safe_mode`` is on, needs a decision: a decided review of this
node execution, or the node's standing approval (``auto_approve_future``). Without one a
WAITING review is written and the node goes RUNNING -> REVIEW with no output; the batch
reports it as ``reviewing``. With one, the HITL block gets it (``review_decision``) and
yields ``approved_data``/``rejected_data``; a sensitive block runs on the approved
(possibly edited) input, or fails with the rejection.

**Pause** (``plan``). When only reviews are outstanding, plan moves the run RUNNING ->
REVIEW, keeps its own payload on the run item, and the execution ends. Nothing runs and
nothing polls while the run waits: no Step Functions transitions, no Lambda, and no
state that a restart of the local cloud could lose (docs/adr/0017-human-review.md).

**Resume** (the review API). Once no review of the run is WAITING, REVIEW -> RUNNING
(guarded: two concurrent actions resume once), the paused node executions go back to
QUEUED and the run continues as its next execution part, those ids pending; their
blocks now find the decisions. Time spent waiting does not count against the run's
time limit.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agentplatform.blocks.block import Block, BlockExecutionError, BlockType
from agentplatform.engine import admission, launcher
from agentplatform.engine.context import RunContext
from agentplatform.models.execution import ExecutionStatus
from agentplatform.models.review import ReviewStatus
from agentplatform.store.executions import ExecutionRepository, RunRef, now
from agentplatform.store.reviews import AUTO_APPROVED_MESSAGE, ReviewRepository, review_payload

# The keyword argument a HumanInTheLoopBlock receives its decision in.
DECISION_KWARG = "review_decision"


@dataclass(frozen=True)
class ReviewDecision:
    approved: bool
    data: Any
    message: str


@dataclass
class Gate:
    """What the gate decided for one node execution."""

    paused: bool = False
    data: dict[str, Any] = field(default_factory=dict)  # the input to run the block with
    kwargs: dict[str, Any] = field(default_factory=dict)  # extra keyword arguments for run()
    error: str | None = None  # a rejected sensitive action: the node fails with this


def safe_modes(run: dict[str, Any]) -> dict[str, bool]:
    """The run's safe modes (recorded from the graph's settings when it was created)."""
    return {
        "human_in_the_loop_safe_mode": bool(run.get("human_in_the_loop_safe_mode", True)),
        "sensitive_action_safe_mode": bool(run.get("sensitive_action_safe_mode", False)),
    }


def _needs_review(run: dict[str, Any], block: Block) -> bool:
    modes = safe_modes(run)
    if block.block_type == BlockType.HUMAN_IN_THE_LOOP:
        return modes["human_in_the_loop_safe_mode"]
    return block.is_sensitive_action and modes["sensitive_action_safe_mode"]


def _subject(block: Block, data: dict[str, Any]) -> tuple[Any, str, bool]:
    """(payload shown to the reviewer, what it is, whether they may edit it)."""
    if block.block_type == BlockType.HUMAN_IN_THE_LOOP:
        return data.get("data"), str(data.get("name") or block.name), bool(data.get("editable", True))
    return data, block.name, True


def gate(ctx: RunContext, item: dict[str, Any], block: Block, data: dict[str, Any]) -> Gate:
    if not _needs_review(ctx.run, block):
        return Gate(data=data)
    reviews = ReviewRepository(ctx.repo.table)
    payload, name, editable = _subject(block, data)
    review, auto_approved = reviews.lookup(ctx.ref, item["node_exec_id"], item["node_id"])
    if review is not None and review["status"] != ReviewStatus.WAITING.value:
        if not review.get("processed"):
            reviews.mark_processed(ctx.ref, item["node_exec_id"])
        approved = review["status"] == ReviewStatus.APPROVED.value
        default = "Execution approved by reviewer" if approved else "Execution rejected by reviewer"
        decision = ReviewDecision(approved, review_payload(review), review.get("review_message") or default)
    elif review is None and auto_approved:
        decision = ReviewDecision(True, payload, AUTO_APPROVED_MESSAGE)
    else:
        reviews.create(
            ctx.ref,
            ctx.run,
            item,
            payload=payload,
            instructions=f"Review required for {name} execution",
            editable=editable,
        )
        ctx.repo.set_node_status(ctx.ref, item["node_exec_id"], ExecutionStatus.REVIEW)
        return Gate(paused=True)
    return _apply(block, data, decision)


def _apply(block: Block, data: dict[str, Any], decision: ReviewDecision) -> Gate:
    if block.block_type == BlockType.HUMAN_IN_THE_LOOP:
        return Gate(data=data, kwargs={DECISION_KWARG: decision})
    if not decision.approved:
        message = f"Block execution rejected by reviewer: {decision.message}"
        return Gate(error=str(BlockExecutionError(message, block.name, block.id)))
    if not isinstance(decision.data, dict):
        message = f"Review data must be a dict for block input, got {type(decision.data).__name__}"
        return Gate(error=str(BlockExecutionError(message, block.name, block.id)))
    return Gate(data=decision.data)


# ------------------------------------------------------------------ pause


def pause(repo: ExecutionRepository, ref: RunRef, run: dict[str, Any]) -> bool:
    """RUNNING -> REVIEW with ``run`` (plan's payload) kept to resume from; False if the
    run is no longer RUNNING. The slot it gave back goes to the next run in line."""
    state = {k: v for k, v in run.items() if k != "reviewing"}
    paused = ReviewRepository(repo.table).pause_run(ref, state)
    if paused is None:
        return False
    admission.admit_waiting(repo, ref.user_id, run["graph_id"])
    return True


# ----------------------------------------------------------------- resume


def resume(ref: RunRef, repo: ExecutionRepository | None = None) -> bool:
    """Continue a run in REVIEW once none of its reviews is WAITING; False if it cannot
    (still waiting, not in REVIEW, or resumed by a concurrent request)."""
    repo = repo or ExecutionRepository()
    reviews = ReviewRepository(repo.table)
    run = repo.get_run(ref)
    if run is None or run["status"] != ExecutionStatus.REVIEW.value or not run.get("paused"):
        return False
    decided = reviews.for_run(ref)
    if any(item["status"] == ReviewStatus.WAITING.value for item in decided):
        return False
    resumed = reviews.resume_run(ref, run)
    if resumed is None:
        return False
    paused_ids = [item["node_exec_id"] for item in decided]
    pending = [
        node["node_exec_id"]
        for node in repo.get_node_execs(ref, paused_ids)
        if node["status"] == ExecutionStatus.REVIEW.value
    ]
    for node_exec_id in pending:
        repo.set_node_status(ref, node_exec_id, ExecutionStatus.QUEUED, queue_time=now())
    state = json.loads(run["paused"])
    waited = time.time() - datetime.fromisoformat(run["paused_at"]).timestamp()
    part = int(resumed["part"])
    successor = {
        **state,
        "part": part,
        "events": 0,
        "waves": 0,
        "pending": pending,
        "started_epoch": float(state.get("started_epoch", time.time())) + waited,
    }
    launcher.start(successor, part)
    return True
