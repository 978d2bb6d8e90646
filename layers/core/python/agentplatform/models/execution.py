"""Graph and node execution models, shaped as AutoGPT's API returns them (spec §2.2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agentplatform.models.execution_status import ExecutionStatus
from agentplatform.models.pagination import Pagination

TERMINAL = frozenset({ExecutionStatus.COMPLETED, ExecutionStatus.TERMINATED, ExecutionStatus.FAILED})


class Stats(BaseModel):
    model_config = ConfigDict(extra="allow")

    cost: int = 0
    duration: float = 0.0
    duration_cpu_only: float = 0.0
    node_exec_time: float = 0.0
    node_exec_time_cpu_only: float = 0.0
    node_exec_count: int = 0
    node_error_count: int = 0
    error: str | None = None
    activity_status: str | None = None
    correctness_score: float | None = None


class GraphExecutionMeta(BaseModel):
    id: str
    user_id: str
    graph_id: str
    graph_version: int
    inputs: dict[str, Any] | None = None
    credential_inputs: dict[str, Any] | None = None
    nodes_input_masks: dict[str, dict[str, Any]] | None = None
    preset_id: str | None = None
    status: ExecutionStatus
    started_at: datetime | None = None
    ended_at: datetime | None = None
    is_shared: bool = False
    share_token: str | None = None
    stats: Stats | None = None


class GraphExecution(GraphExecutionMeta):
    inputs: dict[str, Any] = Field(default_factory=dict)
    outputs: dict[str, list[Any]] = Field(default_factory=dict)


class NodeExecutionResult(BaseModel):
    user_id: str
    graph_id: str
    graph_version: int
    graph_exec_id: str
    node_exec_id: str
    node_id: str
    block_id: str
    status: ExecutionStatus
    input_data: dict[str, Any] = Field(default_factory=dict)
    output_data: dict[str, list[Any]] = Field(default_factory=dict)
    add_time: datetime
    queue_time: datetime | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None


class GraphExecutionWithNodes(GraphExecution):
    node_executions: list[NodeExecutionResult] = Field(default_factory=list)


class GraphExecutionsPaginated(BaseModel):
    executions: list[GraphExecutionMeta]
    pagination: Pagination


class ExecuteGraphRequest(BaseModel):
    inputs: dict[str, Any] = Field(default_factory=dict)
    credentials_inputs: dict[str, Any] = Field(default_factory=dict)
    source: Literal["builder", "library", "onboarding"] | None = None


class ShareResponse(BaseModel):
    share_url: str
    share_token: str


class SharedExecutionResponse(BaseModel):
    id: str
    graph_name: str
    graph_description: str | None = None
    status: ExecutionStatus
    created_at: datetime
    outputs: dict[str, list[Any]] = Field(default_factory=dict)
