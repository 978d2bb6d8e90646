"""The WebSocket envelope and the server's replies, byte-compatible with upstream.

Upstream sends ``WSMessage.model_dump_json()``: compact JSON, every key present,
nulls included. The heartbeat reply is the exception: a plain three-key object.
Event messages add one key beyond upstream, ``seq`` (last), the per-execution
sequence number a reconnecting client passes back as ``since_seq``.
"""

from __future__ import annotations

import enum
import json
from typing import Any

from pydantic import BaseModel, Field


class WSMethod(enum.StrEnum):
    SUBSCRIBE_GRAPH_EXEC = "subscribe_graph_execution"
    SUBSCRIBE_GRAPH_EXECS = "subscribe_graph_executions"
    UNSUBSCRIBE = "unsubscribe"
    GRAPH_EXECUTION_EVENT = "graph_execution_event"
    NODE_EXECUTION_EVENT = "node_execution_event"
    NOTIFICATION = "notification"
    ERROR = "error"
    HEARTBEAT = "heartbeat"


class WSMessage(BaseModel):
    method: WSMethod
    data: dict[str, Any] | list[Any] | str | None = None
    success: bool | None = None
    channel: str | None = None
    error: str | None = None


class WSEventMessage(WSMessage):
    seq: int


class WSSubscribeGraphExecutionRequest(BaseModel):
    graph_exec_id: str
    # Beyond upstream: replay the events after this sequence number first.
    since_seq: int | None = Field(default=None, ge=0)


class WSSubscribeGraphExecutionsRequest(BaseModel):
    graph_id: str


class ErrorText:
    DATA_MISSING = "Subscription data missing"
    BAD_FORMAT = "Invalid message format. Review the schema and retry"
    BAD_DATA = "Invalid message data. Refer to the API schema"
    NOT_PROCESSED = "Message type is not processed by the server"


def error_reply(text: str) -> str:
    return WSMessage(method=WSMethod.ERROR, success=False, error=text).model_dump_json()


def ack_reply(method: WSMethod, channel: str) -> str:
    return WSMessage(method=method, success=True, channel=channel).model_dump_json()


def heartbeat_reply() -> str:
    # Upstream answers with ``send_json`` (compact separators), not the envelope model.
    return json.dumps(
        {"method": WSMethod.HEARTBEAT.value, "data": "pong", "success": True},
        separators=(",", ":"),
        ensure_ascii=False,
    )


def event_message(method: str, channel: str, data: dict[str, Any], seq: int) -> str:
    return WSEventMessage(method=WSMethod(method), channel=channel, data=data, seq=seq).model_dump_json()
