"""Schedule shapes (AutoGPT's ``ScheduleCreationRequest`` and ``GraphExecutionJobInfo``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from agentplatform.models.credentials import CredentialsMetaInput


class ScheduleCreationRequest(BaseModel):
    graph_version: int | None = None
    name: str
    cron: str
    inputs: dict[str, Any]
    credentials: dict[str, CredentialsMetaInput] = Field(default_factory=dict)
    timezone: str | None = Field(
        default=None,
        description="User's timezone for scheduling (e.g., 'America/New_York'). If not provided, "
        "will use user's saved timezone or UTC.",
    )


class GraphExecutionJobArgs(BaseModel):
    schedule_id: str | None = None
    user_id: str
    graph_id: str
    graph_version: int
    agent_name: str | None = None
    cron: str
    input_data: dict[str, Any]
    input_credentials: dict[str, CredentialsMetaInput] = Field(default_factory=dict)


class GraphExecutionJobInfo(GraphExecutionJobArgs):
    id: str
    name: str
    next_run_time: str = Field(description="ISO 8601, in the schedule's time zone")
    timezone: str = Field(default="UTC", description="Timezone used for scheduling")


class ScheduleDeletionResponse(BaseModel):
    id: str
