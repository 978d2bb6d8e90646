"""A run's status, apart from the execution models: routes that only compare statuses
load no pydantic model for it."""

from __future__ import annotations

import enum


class ExecutionStatus(enum.StrEnum):
    INCOMPLETE = "INCOMPLETE"
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    TERMINATED = "TERMINATED"
    FAILED = "FAILED"
    REVIEW = "REVIEW"
