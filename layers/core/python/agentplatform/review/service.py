"""Review use cases behind ``/api/review`` (upstream's review routes, spec §3.9).

An action decides reviews of one execution, all or nothing, then resumes the run once
none of its reviews is left WAITING (engine/review.py). Another user's node execution
ids are not found (404): reviews are located through their owner's pointers.
"""

from __future__ import annotations

import logging

from agentplatform.engine import review as engine_review
from agentplatform.errors import ConflictError, NotFoundError
from agentplatform.models.execution import ExecutionStatus
from agentplatform.models.review import (
    PendingHumanReviewModel,
    ReviewItem,
    ReviewRequest,
    ReviewResponse,
    ReviewStatus,
)
from agentplatform.store.executions import ExecutionRepository, RunRef
from agentplatform.store.reviews import Decision, ReviewRepository, review_model, review_payload

logger = logging.getLogger(__name__)

# Statuses in which upstream accepts review decisions.
_ACTIONABLE = (ExecutionStatus.REVIEW.value, ExecutionStatus.INCOMPLETE.value)


def _run_not_found(graph_exec_id: str) -> NotFoundError:
    return NotFoundError(f"Graph execution #{graph_exec_id} not found")


class ReviewService:
    def __init__(self, executions: ExecutionRepository | None = None):
        self.executions = executions or ExecutionRepository()
        self.reviews = ReviewRepository(self.executions.table)

    def pending(self, user_id: str, page: int, page_size: int) -> list[PendingHumanReviewModel]:
        return [review_model(item) for item in self.reviews.waiting_for_user(user_id, page, page_size)]

    def pending_for_execution(self, user_id: str, graph_exec_id: str) -> list[PendingHumanReviewModel]:
        ref = RunRef(user_id, graph_exec_id)
        if self.executions.get_run(ref) is None:
            raise _run_not_found(graph_exec_id)
        return [
            review_model(item)
            for item in self.reviews.for_run(ref)
            if item["status"] == ReviewStatus.WAITING.value
        ]

    def act(self, user_id: str, request: ReviewRequest) -> ReviewResponse:
        ref = self._run_of(user_id, [review.node_exec_id for review in request.reviews])
        run = self.executions.get_run(ref)
        if run is None:
            raise _run_not_found(ref.graph_exec_id)
        if run["status"] not in _ACTIONABLE:
            raise ConflictError(f"Cannot process reviews while execution status is {run['status']}")
        stored = {item["node_exec_id"]: item for item in self.reviews.for_run(ref)}
        decisions = [self._decision(stored[review.node_exec_id], review) for review in request.reviews]
        if not self.reviews.decide(ref, decisions):
            raise ConflictError("Some of these reviews were decided meanwhile; reload them and try again")
        failed = self._auto_approve(ref, request, stored)
        try:
            engine_review.resume(ref, self.executions)
        except Exception:  # as upstream: the decisions stand; the run can be resumed by another action
            logger.exception("Resuming execution %s failed", ref.graph_exec_id)
        approved = sum(1 for decision in decisions if decision.status == ReviewStatus.APPROVED)
        return ReviewResponse(
            approved_count=approved,
            rejected_count=len(decisions) - approved,
            failed_count=failed,
            error=(
                f"{failed} auto-approval setting(s) could not be saved. "
                "You may need to manually approve these reviews in future executions."
                if failed
                else None
            ),
        )

    def _run_of(self, user_id: str, node_exec_ids: list[str]) -> RunRef:
        runs = self.reviews.runs_of(user_id, node_exec_ids)
        missing = [i for i in node_exec_ids if i not in runs]
        if missing:
            raise NotFoundError(f"Review(s) not found: {', '.join(missing)}")
        if len(set(runs.values())) > 1:
            raise ConflictError("All reviews in a single request must belong to the same execution.")
        return RunRef(user_id, next(iter(runs.values())))

    @staticmethod
    def _decision(item: dict[str, object], review: ReviewItem) -> Decision:
        if item["status"] != ReviewStatus.WAITING.value:
            raise ValueError(f"Review {review.node_exec_id} is not waiting for a decision ({item['status']})")
        current = review_payload(item)
        # Edits count only on approval, and not with auto-approval (later runs use their own data).
        edited_data = review.reviewed_data if review.approved and not review.auto_approve_future else None
        edited = edited_data is not None and edited_data != current
        if edited and not item["editable"]:
            raise ValueError(f"Review {review.node_exec_id} is not editable")
        return Decision(
            node_exec_id=review.node_exec_id,
            status=ReviewStatus.APPROVED if review.approved else ReviewStatus.REJECTED,
            message=review.message,
            payload=edited_data if edited else current,
            was_edited=edited,
        )

    def _auto_approve(self, ref: RunRef, request: ReviewRequest, stored: dict[str, dict[str, object]]) -> int:
        """Standing approvals for the nodes whose approval asked for one; returns failures."""
        nodes = {
            str(stored[review.node_exec_id]["node_id"])
            for review in request.reviews
            if review.approved and review.auto_approve_future
        }
        failed = 0
        for node_id in sorted(nodes):
            try:
                self.reviews.approve_node(ref, node_id)
            except Exception:
                logger.exception("Saving the auto-approval of node %s failed", node_id)
                failed += 1
        return failed
