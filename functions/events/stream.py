"""Table stream -> WebSocket fan-out, with partial batch failures."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from agentplatform.events.stream import StreamBatch
from agentplatform.observability import lambda_handler


@lambda_handler()
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    batch = StreamBatch()  # per invocation: ordering state must not leak between batches
    response = process_partial_response(
        event=event,
        record_handler=batch.handle,
        processor=BatchProcessor(event_type=EventType.DynamoDBStreams),
        context=context,
    )
    return dict(response)
