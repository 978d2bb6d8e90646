"""The notifications' scheduled tasks, defined once for EventBridge Scheduler (CDK) and
the local cloud's timer (``local/notifications.py``). Times are UTC.

Each fires a message onto the notifications queue: the hourly flush of due batches (as
upstream's hourly ``process_existing_batches``), the daily summary at 09:00 and the
weekly summary on Fridays at 12:00 (the time upstream's commented-out schedule names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel

from agentplatform.models.notifications import FlushBatchesTask, QueueSummariesTask
from agentplatform.models.user import NotificationType

_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


@dataclass(frozen=True)
class Schedule:
    name: str
    message: BaseModel
    minute: int = 0
    hour: int | None = None  # None: every hour
    weekday: int | None = None  # 0 = Monday; None: every day

    @property
    def expression(self) -> str:
        """EventBridge Scheduler's cron expression."""
        hour = "*" if self.hour is None else str(self.hour)
        if self.weekday is None:
            return f"cron({self.minute} {hour} * * ? *)"
        return f"cron({self.minute} {hour} ? * {_WEEKDAYS[self.weekday]} *)"

    def next_after(self, moment: datetime) -> datetime:
        """The first firing strictly after ``moment`` (an aware datetime)."""
        candidate = moment.replace(minute=self.minute, second=0, microsecond=0)
        if self.hour is not None:
            candidate = candidate.replace(hour=self.hour)
        step = timedelta(hours=1) if self.hour is None else timedelta(days=1)
        while candidate <= moment or (self.weekday is not None and candidate.weekday() != self.weekday):
            candidate += step
        return candidate


SCHEDULES = (
    Schedule("flush-batches", FlushBatchesTask()),
    Schedule("daily-summary", QueueSummariesTask(type=NotificationType.DAILY_SUMMARY), hour=9),
    Schedule("weekly-summary", QueueSummariesTask(type=NotificationType.WEEKLY_SUMMARY), hour=12, weekday=4),
)
