"""Human-in-the-loop reviews (spec §1.3 rows 105-107, §3.9)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from agentplatform.api.deps import UserId
from agentplatform.models.review import PendingHumanReviewModel, ReviewRequest, ReviewResponse
from agentplatform.review.service import ReviewService

router = APIRouter(prefix="/api/review", tags=["v2", "executions", "review"])


def review_service() -> ReviewService:
    return ReviewService()


Reviews = Annotated[ReviewService, Depends(review_service)]

RUN_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Graph execution not found"}}
ACTION_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A review is not waiting, or not editable"},
    404: {"description": "Review(s) not found (or another user's)"},
    409: {"description": "Reviews of several executions, or the execution is not in REVIEW"},
}


@router.get("/pending", summary="Get Pending Reviews")
def list_pending_reviews(
    user_id: UserId,
    reviews: Reviews,
    page: Annotated[int, Query(ge=1, description="Page number (1-indexed)")] = 1,
    page_size: Annotated[int, Query(ge=1, le=100, description="Number of reviews per page")] = 25,
) -> list[PendingHumanReviewModel]:
    """The caller's reviews waiting for a decision, newest first."""
    return reviews.pending(user_id, page, page_size)


@router.get(
    "/execution/{graph_exec_id}", summary="Get Pending Reviews for Execution", responses=RUN_NOT_FOUND
)
def list_pending_reviews_for_execution(
    user_id: UserId, reviews: Reviews, graph_exec_id: str
) -> list[PendingHumanReviewModel]:
    """The execution's reviews waiting for a decision, oldest first."""
    return reviews.pending_for_execution(user_id, graph_exec_id)


@router.post("/action", summary="Process Review Action", responses=ACTION_ERRORS)
def process_review_action(user_id: UserId, reviews: Reviews, request: ReviewRequest) -> ReviewResponse:
    """Process reviews with approve or reject actions."""
    return reviews.act(user_id, request)
