"""Graph schedules as EventBridge Scheduler schedules: one per user schedule, named after it.

Each schedule lives in the stack's group (``SCHEDULE_GROUP_NAME``) and invokes the
``schedules.run`` function through the scheduler role with ids only; the function
reads everything else from the table. The scheduled time reaches the function through
Scheduler's context attribute, so a redelivered firing is recognisably the same one.
"""

from __future__ import annotations

import json
from typing import Any

from agentplatform.aws import client
from agentplatform.config import Settings, get_settings
from agentplatform.errors import MissingConfigError

SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"  # replaced by Scheduler on each firing

# Scheduler retries a delivery that fails (throttling, an unavailable function) this
# often within this age, then parks the firing in the dead-letter queue. A run that
# would start more than an hour late is worth less than a visible failure.
RETRY_POLICY = {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 10}


def _require(settings: Settings, *names: str) -> None:
    missing = [name.upper() for name in names if not getattr(settings, name)]
    if missing:
        raise MissingConfigError(f"Schedules are not configured: {', '.join(missing)} not set")


def target_input(user_id: str, schedule_id: str) -> dict[str, str]:
    """What the target function receives on each firing (before Scheduler fills in the time)."""
    return {"user_id": user_id, "schedule_id": schedule_id, "scheduled_time": SCHEDULED_TIME}


def create(schedule_id: str, *, expression: str, timezone: str, target: dict[str, Any], name: str) -> None:
    settings = get_settings()
    _require(settings, "schedule_group_name", "schedule_target_arn", "scheduler_role_arn", "schedule_dlq_arn")
    client("scheduler").create_schedule(
        Name=schedule_id,
        GroupName=settings.schedule_group_name,
        Description=name[:512],
        ScheduleExpression=expression,
        ScheduleExpressionTimezone=timezone,
        FlexibleTimeWindow={"Mode": "OFF"},
        State="ENABLED",
        ActionAfterCompletion="NONE",
        Target={
            "Arn": settings.schedule_target_arn,
            "RoleArn": settings.scheduler_role_arn,
            "Input": json.dumps(target),
            "DeadLetterConfig": {"Arn": settings.schedule_dlq_arn},
            "RetryPolicy": RETRY_POLICY,
        },
    )


def delete(schedule_id: str) -> bool:
    """Delete the schedule; False when there was none."""
    settings = get_settings()
    _require(settings, "schedule_group_name")
    scheduler = client("scheduler")
    try:
        scheduler.delete_schedule(Name=schedule_id, GroupName=settings.schedule_group_name)
    except scheduler.exceptions.ResourceNotFoundException:
        return False
    return True
