"""Event payloads: the execution models plus ``event_type`` (spec §2.2)."""

from __future__ import annotations

import enum
from typing import Literal

from agentplatform.models.execution import GraphExecution, NodeExecutionResult


class ExecutionEventType(enum.StrEnum):
    GRAPH_EXEC_UPDATE = "graph_execution_update"
    NODE_EXEC_UPDATE = "node_execution_update"
    ERROR_COMMS_UPDATE = "error_comms_update"


class GraphExecutionEvent(GraphExecution):
    event_type: Literal[ExecutionEventType.GRAPH_EXEC_UPDATE] = ExecutionEventType.GRAPH_EXEC_UPDATE


class NodeExecutionEvent(NodeExecutionResult):
    event_type: Literal[ExecutionEventType.NODE_EXEC_UPDATE] = ExecutionEventType.NODE_EXEC_UPDATE


ExecutionEvent = GraphExecutionEvent | NodeExecutionEvent
