"""Run and node status changes as log lines and metrics, read from the table stream.

The events Lambda already sees every write to a run or a node execution, in order, so
it is the one place that observes each status change exactly where it is published:
no engine code path logs or counts on its own, and a Step Functions retry of a node
cannot count it twice (a retried write that changes nothing is no status change).

Metrics (namespace ``AgentPlatform``): ``RunsStarted``, ``RunsCompleted``, ``RunsFailed``,
``RunsTerminated``, ``RunDuration`` (seconds, started to ended), ``NodeExecutions``
(nodes that reached a final status) and ``BlockFailures`` (dimension ``block_id``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from agentplatform.models.execution import TERMINAL, ExecutionStatus
from agentplatform.observability import count, log_scope
from agentplatform.store import executions
from agentplatform.store.stream_images import image_item

logger = logging.getLogger(__name__)

_NOT_STARTED = {None, ExecutionStatus.INCOMPLETE, ExecutionStatus.QUEUED}
_RUN_METRIC = {
    ExecutionStatus.COMPLETED: "RunsCompleted",
    ExecutionStatus.FAILED: "RunsFailed",
    ExecutionStatus.TERMINATED: "RunsTerminated",
}
_ERROR_CHARS = 500


def _status(item: dict[str, Any] | None) -> ExecutionStatus | None:
    raw = (item or {}).get("status")
    return ExecutionStatus(raw) if raw else None


def observe_record(record: dict[str, Any]) -> None:
    """Log and count the status change a stream record holds, if it holds one.

    Observing never fails the record: its event has been delivered already.
    """
    try:
        _observe(record)
    except Exception:
        logger.exception("observing stream record %s failed", record.get("eventID"))


def _observe(record: dict[str, Any]) -> None:
    stream = record.get("dynamodb") or {}
    if record.get("eventName") == "REMOVE":
        return
    new = image_item(stream.get("NewImage"))
    if new is None or new.get("type") not in (executions.GRAPH_EXEC_TYPE, executions.NODE_EXEC_TYPE):
        return
    old_status, status = _status(image_item(stream.get("OldImage"))), _status(new)
    if status is None or status == old_status:
        return
    if new["type"] == executions.GRAPH_EXEC_TYPE:
        run_changed(new, old_status, status)
    else:
        node_changed(new, status)


def _seconds(item: dict[str, Any]) -> float | None:
    started, ended = item.get("started_at"), item.get("ended_at")
    if not started or not ended:
        return None
    return (datetime.fromisoformat(str(ended)) - datetime.fromisoformat(str(started))).total_seconds()


def run_changed(item: dict[str, Any], old: ExecutionStatus | None, status: ExecutionStatus) -> None:
    keys = {"user_id": item.get("user_id"), "graph_exec_id": item.get("id"), "graph_id": item.get("graph_id")}
    with log_scope(**keys, status=status.value):
        if status == ExecutionStatus.RUNNING and old in _NOT_STARTED:
            count("RunsStarted")
        if status not in TERMINAL:
            logger.info("run %s %s", item.get("id"), status.value)
            return
        count(_RUN_METRIC[status])
        seconds = _seconds(item)
        if seconds is not None:
            count("RunDuration", seconds, unit="Seconds")
        took = "" if seconds is None else f" in {seconds:.1f} s"
        level = logging.INFO if status == ExecutionStatus.COMPLETED else logging.WARNING
        logger.log(level, "run %s %s%s", item.get("id"), status.value, took, extra={"duration_s": seconds})


def node_changed(item: dict[str, Any], status: ExecutionStatus) -> None:
    keys = {
        "user_id": item.get("user_id"),
        "graph_exec_id": item.get("graph_exec_id"),
        "node_exec_id": item.get("node_exec_id"),
        "node_id": item.get("node_id"),
        "block_id": item.get("block_id"),
    }
    with log_scope(**keys, status=status.value):
        if status in TERMINAL:
            count("NodeExecutions")
        if status != ExecutionStatus.FAILED:
            logger.debug("node %s %s", item.get("node_exec_id"), status.value)
            return
        count("BlockFailures", block_id=str(item.get("block_id")))
        logger.warning("node %s FAILED: %s", item.get("node_exec_id"), _error(item))


def _error(item: dict[str, Any]) -> str:
    errors = executions.node_result(item).output_data.get("error") or ["(no error output)"]
    text = "; ".join(str(error) for error in errors)
    return text if len(text) <= _ERROR_CHARS else text[:_ERROR_CHARS] + "…"
