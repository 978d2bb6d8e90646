"""Execution events from table stream records.

Every run status change, node status change and node output is a write to the run
item or a node-execution item, and the new image holds the whole event payload. A
write that changes nothing a client can see (bookkeeping fields) produces no event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agentplatform.events.channels import graph_exec_channel, graph_execs_channel
from agentplatform.events.messages import WSMethod
from agentplatform.events.payloads import ExecutionEvent, GraphExecutionEvent, NodeExecutionEvent
from agentplatform.models.execution import ExecutionStatus
from agentplatform.store import executions
from agentplatform.store.stream_images import image_item
from agentplatform.store.values import ValueLoader

# Events are cut to the message quota anyway: large values go out as their previews,
# without a read from S3 per event.
_PREVIEWS = ValueLoader(previews_only=True)


@dataclass(frozen=True)
class ExecutionChange:
    """One event to publish: who owns it, where it goes, and its JSON-ready payload."""

    user_id: str
    graph_exec_id: str
    method: WSMethod
    channels: tuple[str, ...]
    data: dict[str, Any]


def _graph_event(item: dict[str, Any]) -> GraphExecutionEvent:
    meta = executions.run_meta(item, _PREVIEWS)
    return GraphExecutionEvent(
        **meta.model_dump(exclude={"inputs"}),
        inputs=meta.inputs or {},
        outputs=executions.run_outputs(item, _PREVIEWS),
    )


def _node_event(item: dict[str, Any]) -> NodeExecutionEvent:
    return NodeExecutionEvent(**executions.node_result(item, _PREVIEWS).model_dump())


def _event(item: dict[str, Any] | None) -> ExecutionEvent | None:
    if item is None:
        return None
    kind = item.get("type")
    if kind == executions.GRAPH_EXEC_TYPE:
        return _graph_event(item)
    if kind == executions.NODE_EXEC_TYPE:
        return _node_event(item)
    return None


def _change(event: ExecutionEvent) -> ExecutionChange:
    if isinstance(event, GraphExecutionEvent):
        # Graph events go to the run's channel and to the graph's runs channel.
        return ExecutionChange(
            user_id=event.user_id,
            graph_exec_id=event.id,
            method=WSMethod.GRAPH_EXECUTION_EVENT,
            channels=(
                graph_exec_channel(event.user_id, event.id),
                graph_execs_channel(event.user_id, event.graph_id),
            ),
            data=event.model_dump(mode="json"),
        )
    return ExecutionChange(
        user_id=event.user_id,
        graph_exec_id=event.graph_exec_id,
        method=WSMethod.NODE_EXECUTION_EVENT,
        channels=(graph_exec_channel(event.user_id, event.graph_exec_id),),
        data=event.model_dump(mode="json"),
    )


def _not_yet_queued(event: ExecutionEvent) -> bool:
    # Upstream publishes a run once it is QUEUED; the INCOMPLETE row it is created as is
    # never announced. (Node executions do announce INCOMPLETE, as upstream's upserts do.)
    return isinstance(event, GraphExecutionEvent) and event.status == ExecutionStatus.INCOMPLETE


def is_execution_item(image: dict[str, Any] | None) -> bool:
    """Cheap pre-filter on the raw stream image (DynamoDB JSON)."""
    kind = (image or {}).get("type", {}).get("S")
    return kind in (executions.GRAPH_EXEC_TYPE, executions.NODE_EXEC_TYPE)


def change_from_record(record: dict[str, Any]) -> ExecutionChange | None:
    """The event a stream record (Lambda event shape) stands for, if any."""
    stream = record.get("dynamodb") or {}
    if record.get("eventName") == "REMOVE" or not is_execution_item(stream.get("NewImage")):
        return None
    new = _event(image_item(stream.get("NewImage")))
    if new is None or _not_yet_queued(new):
        return None
    old = _event(image_item(stream.get("OldImage")))
    if old is not None and old.model_dump(mode="json") == new.model_dump(mode="json"):
        return None
    return _change(new)
