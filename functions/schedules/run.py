"""EventBridge Scheduler target: start one scheduled run (see agentplatform.schedules.service).

The event is the schedule's target input: ``{user_id, schedule_id, scheduled_time}``.
"""

from typing import Any

from agentplatform.observability import lambda_handler, schedule_keys
from agentplatform.schedules.service import ScheduleService


@lambda_handler(schedule_keys)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return ScheduleService().fire(event["user_id"], event["schedule_id"], event["scheduled_time"])
