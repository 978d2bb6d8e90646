"""Table stream -> WebSocket fan-out, a batch at a time, with partial batch failures."""

from __future__ import annotations

from typing import Any

from agentplatform.events.stream import StreamBatch
from agentplatform.observability import lambda_handler


@lambda_handler()
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # One per invocation: the heads it remembers must not outlive the batch.
    return dict(StreamBatch().process(event.get("Records") or []))
