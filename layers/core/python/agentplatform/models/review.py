"""Human-in-the-loop review shapes (AutoGPT's ``PendingHumanReviewModel``,
``ReviewRequest``/``ReviewItem`` and ``ReviewResponse``)."""

from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

# JSON values a reviewer may see and send back.
SafeJsonData = dict[str, Any] | list[Any] | str | int | float | bool | None

REVIEWED_DATA_MAX_BYTES = 1_000_000
REVIEWED_DATA_MAX_DEPTH = 10
# Decisions one request may carry: they are written in one transaction (all or nothing).
REVIEWS_PER_REQUEST_MAX = 100


class ReviewStatus(enum.StrEnum):
    WAITING = "WAITING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class PendingHumanReviewModel(BaseModel):
    node_exec_id: str = Field(description="Node execution ID (primary key)")
    node_id: str = Field(default="", description="Node definition ID (for grouping)")
    user_id: str = Field(description="User ID associated with the review")
    graph_exec_id: str = Field(description="Graph execution ID")
    graph_id: str = Field(description="Graph ID")
    graph_version: int = Field(description="Graph version")
    payload: SafeJsonData = Field(description="The actual data payload awaiting review")
    instructions: str | None = Field(default=None, description="Instructions or message for the reviewer")
    editable: bool = Field(description="Whether the reviewer can edit the data")
    status: ReviewStatus = Field(description="Review status")
    review_message: str | None = Field(default=None, description="Optional message from the reviewer")
    was_edited: bool | None = Field(default=None, description="Whether the data was modified during review")
    processed: bool = Field(
        default=False, description="Whether the review result has been processed by the execution engine"
    )
    created_at: datetime = Field(description="When the review was created")
    updated_at: datetime | None = Field(default=None, description="When the review was last updated")
    reviewed_at: datetime | None = Field(default=None, description="When the review was completed")


def _safe_json(value: Any) -> bool:
    if value is None or isinstance(value, str | int | float | bool):
        return True
    if isinstance(value, dict):
        return all(isinstance(k, str) and _safe_json(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_safe_json(v) for v in value)
    return False


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


class ReviewItem(BaseModel):
    node_exec_id: str = Field(description="Node execution ID to review")
    approved: bool = Field(description="Whether this review is approved (True) or rejected (False)")
    message: str | None = Field(default=None, description="Optional review message", max_length=2000)
    reviewed_data: SafeJsonData | None = Field(
        default=None, description="Optional edited data (ignored if approved=False)"
    )
    auto_approve_future: bool = Field(
        default=False,
        description="If true and this review is approved, future executions of this same block (node) "
        "will be automatically approved. This only affects approved reviews.",
    )

    @field_validator("reviewed_data")
    @classmethod
    def _check_reviewed_data(cls, value: Any) -> Any:
        if value is None:
            return value
        if not _safe_json(value):
            raise ValueError("reviewed_data contains non-SafeJson compatible types")
        if len(json.dumps(value)) > REVIEWED_DATA_MAX_BYTES:
            raise ValueError("reviewed_data is too large (max 1MB)")
        if _depth(value) > REVIEWED_DATA_MAX_DEPTH:
            raise ValueError("reviewed_data has excessive nesting depth")
        return value

    @field_validator("message")
    @classmethod
    def _blank_message_is_none(cls, value: str | None) -> str | None:
        return None if value is not None and not value.strip() else value


class ReviewRequest(BaseModel):
    """Decisions for pending reviews, all of one execution; it resumes once none is left waiting."""

    reviews: list[ReviewItem] = Field(
        description="All reviews with their approval status, data, and messages",
        max_length=REVIEWS_PER_REQUEST_MAX,
    )

    @model_validator(mode="after")
    def _complete_and_unique(self) -> ReviewRequest:
        if not self.reviews:
            raise ValueError("At least one review must be provided")
        ids = [review.node_exec_id for review in self.reviews]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"Duplicate review IDs found: {', '.join(duplicates)}")
        return self


class ReviewResponse(BaseModel):
    approved_count: int = Field(description="Number of reviews successfully approved")
    rejected_count: int = Field(description="Number of reviews successfully rejected")
    failed_count: int = Field(description="Number of reviews that failed processing")
    error: str | None = Field(default=None, description="Error message if operation failed")
