"""Calling Lambda handlers in-process the way the Lambda runtime does."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """The attributes of the runtime's context object that handlers and Powertools read."""

    function_name: str = "local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 1024
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def invoke(handler: Handler, event: dict[str, Any], function_name: str = "local") -> Any:
    """Run ``handler`` as the Lambda runtime would, on a thread with its own event loop.

    Handlers (Mangum among them) expect a current event loop, which worker threads of
    the local server do not have.
    """
    try:
        asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())
    return handler(event, LambdaContext(function_name=function_name))
