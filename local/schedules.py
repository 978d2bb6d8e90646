"""EventBridge Scheduler for the local cloud: moto keeps the schedules, this fires them.

moto emulates the Scheduler API (create, get, list, delete) but never fires a schedule.
``provision()`` creates the stack's schedule group and points the platform's settings at
it, as the deployed stack does. ``LocalScheduler`` polls the group and, for each
schedule whose next fire time (its expression, in its time zone, as
``agentplatform.schedules.cron`` computes it) has come, invokes the ``schedules.run``
handler with the schedule's target input, context attributes filled in as Scheduler
fills them. A firing is at most one poll interval late (10 s by default).

moto keeps schedules in memory only, so with a state dir the poller saves them there
(``schedules.json``) and recreates them on start, as the local cloud does with its
table. Firings missed while the local cloud was down are not replayed: a schedule fires
from the later of its creation and the poller's start.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agentplatform.aws import client
from agentplatform.config import get_settings
from agentplatform.schedules.cron import Cron

logger = logging.getLogger("local.schedules")

GROUP_NAME = "agentplatform-schedules"
_ACCOUNT = "123456789012"
# What the stack sets; locally only the names matter (the poller calls the handler itself).
_SETTINGS = {
    "SCHEDULE_GROUP_NAME": GROUP_NAME,
    "SCHEDULE_TARGET_ARN": f"arn:aws:lambda:us-east-1:{_ACCOUNT}:function:schedules-run",
    "SCHEDULER_ROLE_ARN": f"arn:aws:iam::{_ACCOUNT}:role/agentplatform-scheduler",
    "SCHEDULE_DLQ_ARN": f"arn:aws:sqs:us-east-1:{_ACCOUNT}:agentplatform-async-failures",
}
POLL_SECONDS = 10.0
_STATE_FILE = "schedules.json"
# What create_schedule takes back from a get_schedule answer.
_RESTORED_FIELDS = (
    "Name",
    "GroupName",
    "Description",
    "ScheduleExpression",
    "ScheduleExpressionTimezone",
    "FlexibleTimeWindow",
    "Target",
    "State",
    "ActionAfterCompletion",
)

Clock = Callable[[], datetime]
Fire = Callable[[dict[str, Any]], Any]


def provision() -> None:
    """The schedule group, and the settings that name it and the target."""
    for name, value in _SETTINGS.items():
        os.environ.setdefault(name, value)
    get_settings.cache_clear()
    scheduler = client("scheduler")
    with contextlib.suppress(scheduler.exceptions.ConflictException):
        scheduler.create_schedule_group(Name=get_settings().schedule_group_name)


def five_field(expression: str) -> str:
    """``cron(m h dom mon dow year)`` back to the 5-field cron it was made from."""
    fields = expression.removeprefix("cron(").removesuffix(")").split()
    return " ".join(field.replace("?", "*") for field in fields[:5])


def run_handler(event: dict[str, Any]) -> Any:
    from functions.schedules.run import handler
    from local.lambdas import invoke

    return invoke(handler, event, function_name="schedules-run")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class LocalScheduler:
    def __init__(
        self,
        state_dir: Path | None = None,
        *,
        clock: Clock = _utc_now,
        poll_seconds: float = POLL_SECONDS,
        fire: Fire = run_handler,
    ):
        self.state_file = None if state_dir is None else state_dir / _STATE_FILE
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.fire = fire
        self.started_at = clock()
        self._fired_up_to: dict[str, datetime] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._saved = ""

    def start(self) -> LocalScheduler:
        self.restore()
        self._thread = threading.Thread(target=self._loop, name="local-scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.poll_seconds + 5)

    def _loop(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            try:
                self.poll_once()
            except Exception:
                logger.exception("schedule poll failed")

    def poll_once(self) -> list[tuple[str, datetime]]:
        """Fire every schedule that came due since the last poll; returns (name, due time)s."""
        now = self.clock()
        fired: list[tuple[str, datetime]] = []
        seen: set[str] = set()
        schedules = self._schedules()
        self.save(schedules)
        for schedule in schedules:
            name = schedule["Name"]
            seen.add(name)
            for due in self._due(schedule, now):
                self._fire(schedule, due)
                fired.append((name, due))
        for gone in set(self._fired_up_to) - seen:
            del self._fired_up_to[gone]
        return fired

    def save(self, schedules: list[dict[str, Any]]) -> None:
        if self.state_file is None:
            return
        kept = [{key: item[key] for key in _RESTORED_FIELDS if item.get(key)} for item in schedules]
        text = json.dumps(sorted(kept, key=lambda item: item["Name"]))
        if text != self._saved:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            self.state_file.write_text(text)
            self._saved = text

    def restore(self) -> int:
        """Recreate the schedules saved by the last session; returns how many."""
        if self.state_file is None or not self.state_file.exists():
            return 0
        scheduler = client("scheduler")
        saved = json.loads(self.state_file.read_text())
        for schedule in saved:
            try:
                scheduler.create_schedule(**schedule)
            except scheduler.exceptions.ConflictException:
                continue
        return len(saved)

    def _schedules(self) -> list[dict[str, Any]]:
        scheduler, group = client("scheduler"), get_settings().schedule_group_name
        found: list[dict[str, Any]] = []
        for page in scheduler.get_paginator("list_schedules").paginate(GroupName=group, State="ENABLED"):
            for summary in page["Schedules"]:
                try:
                    found.append(scheduler.get_schedule(Name=summary["Name"], GroupName=group))
                except scheduler.exceptions.ResourceNotFoundException:
                    continue  # deleted since the listing
        return found

    def _due(self, schedule: dict[str, Any], now: datetime) -> list[datetime]:
        name = schedule["Name"]
        created = schedule["CreationDate"]
        since = self._fired_up_to.get(name) or max(self.started_at, created.astimezone(UTC))
        cron = Cron(five_field(schedule["ScheduleExpression"]))
        due: list[datetime] = []
        for fire in cron.next_fire_times(schedule.get("ScheduleExpressionTimezone") or "UTC", since):
            if fire > now:
                break
            due.append(fire)
        self._fired_up_to[name] = due[-1] if due else since
        return due

    def _fire(self, schedule: dict[str, Any], due: datetime) -> None:
        context = {
            "<aws.scheduler.schedule-arn>": schedule["Arn"],
            "<aws.scheduler.scheduled-time>": due.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "<aws.scheduler.execution-id>": str(uuid.uuid4()),
            "<aws.scheduler.attempt-number>": "1",
        }
        raw = schedule["Target"].get("Input") or "{}"
        for placeholder, value in context.items():
            raw = raw.replace(placeholder, value)
        try:
            self.fire(json.loads(raw))
        except Exception:  # Scheduler would retry and then dead-letter; locally we log it
            logger.exception("schedule %s failed to fire at %s", schedule["Name"], due.isoformat())
