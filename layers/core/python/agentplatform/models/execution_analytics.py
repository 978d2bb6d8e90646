"""Shapes of the admin run analytics routes (spec §1.3 rows 102-104), as upstream."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ExecutionAnalyticsRequest(BaseModel):
    graph_id: str = Field(..., description="Graph ID to analyze", min_length=1)
    graph_version: int | None = Field(None, description="Optional graph version")
    user_id: str | None = Field(None, description="Optional user ID filter")
    created_after: datetime | None = Field(None, description="Optional created date lower bound")
    model_name: str = Field("gpt-4o-mini", description="Model to use for generation")
    batch_size: int = Field(10, description="Batch size for concurrent processing", le=25, ge=1)
    system_prompt: str | None = Field(
        None, description="Custom system prompt (default: built-in prompt)", max_length=20_000
    )
    user_prompt: str | None = Field(
        None,
        description="Custom user prompt with {{GRAPH_NAME}} and {{EXECUTION_DATA}} placeholders "
        "(default: built-in prompt)",
        max_length=20_000,
    )
    skip_existing: bool = Field(
        True,
        description="Whether to skip executions that already have activity status and correctness score",
    )


class ExecutionAnalyticsResult(BaseModel):
    agent_id: str
    version_id: int
    user_id: str
    exec_id: str
    summary_text: str | None
    score: float | None
    status: str  # "success", "failed", "skipped"
    error_message: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None


class ExecutionAnalyticsResponse(BaseModel):
    total_executions: int
    processed_executions: int
    successful_analytics: int
    failed_analytics: int
    skipped_executions: int
    results: list[ExecutionAnalyticsResult]


class ModelInfo(BaseModel):
    value: str
    label: str
    provider: str


class ExecutionAnalyticsConfig(BaseModel):
    available_models: list[ModelInfo]
    default_system_prompt: str
    default_user_prompt: str
    recommended_model: str


class AccuracyAlertData(BaseModel):
    graph_id: str
    user_id: str | None
    drop_percent: float
    three_day_avg: float
    seven_day_avg: float
    detected_at: datetime


class AccuracyLatestData(BaseModel):
    date: datetime
    daily_score: float | None
    three_day_avg: float | None
    seven_day_avg: float | None
    fourteen_day_avg: float | None


class AccuracyTrendsResponse(BaseModel):
    latest_data: AccuracyLatestData
    alert: AccuracyAlertData | None
    historical_data: list[AccuracyLatestData] | None = None
