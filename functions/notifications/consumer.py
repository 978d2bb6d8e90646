"""The notifications queue -> the notifications service, with partial batch failures.

Everything arrives on this queue: events from producers, the scheduled tasks (hourly
batch flush, daily and weekly summaries, sent by EventBridge Scheduler) and SES bounce
and complaint events (EventBridge). A message that fails is retried by SQS and, after
a few receives, parked in the dead-letter queue.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from agentplatform.notifications.service import NotificationService, parse_message
from agentplatform.observability import lambda_handler


@lambda_handler()
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    service = NotificationService()

    def record_handler(record: SQSRecord) -> None:
        service.handle(parse_message(record.body))

    response = process_partial_response(
        event=event,
        record_handler=record_handler,
        processor=BatchProcessor(event_type=EventType.SQS),
        context=context,
    )
    return dict(response)
