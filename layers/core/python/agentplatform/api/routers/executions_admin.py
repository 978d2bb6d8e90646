"""``/api/executions/admin`` (spec §1.3 rows 102-104): AI summaries and correctness scores
of a graph's runs, and their trend. Admin only; rules in ``executions/analytics.py``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Security

from agentplatform.api.deps import requires_admin_user
from agentplatform.executions.analytics import ExecutionAnalytics, analytics_config
from agentplatform.models.execution_analytics import (
    AccuracyTrendsResponse,
    ExecutionAnalyticsConfig,
    ExecutionAnalyticsRequest,
    ExecutionAnalyticsResponse,
)

router = APIRouter(
    prefix="/api/executions/admin",
    tags=["v2", "admin", "execution_analytics"],
    dependencies=[Security(requires_admin_user)],
)

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid token"},
    403: {"description": "Admin access required"},
}


def execution_analytics() -> ExecutionAnalytics:
    return ExecutionAnalytics()


Analytics = Annotated[ExecutionAnalytics, Depends(execution_analytics)]


@router.get("/execution_analytics/config", summary="Get Execution Analytics Configuration", responses=ERRORS)
def get_execution_analytics_config() -> ExecutionAnalyticsConfig:
    """The models to choose from, the default prompts and the recommended model."""
    return analytics_config()


@router.post(
    "/execution_analytics",
    summary="Generate Execution Analytics",
    responses={
        **ERRORS,
        400: {"description": "Unknown model"},
        503: {"description": "No platform key for the model's provider (e.g. OPENAI_API_KEY)"},
    },
)
async def generate_execution_analytics(
    request: ExecutionAnalyticsRequest, analytics: Analytics
) -> ExecutionAnalyticsResponse:
    """Summarise and score the graph's finished runs that lack it, within this request's time."""
    return await analytics.generate(request)


@router.get(
    "/execution_accuracy_trends", summary="Get Execution Accuracy Trends and Alerts", responses=ERRORS
)
def get_execution_accuracy_trends(
    analytics: Analytics,
    graph_id: Annotated[str, Query(min_length=1)],
    user_id: str | None = None,
    days_back: Annotated[int, Query(ge=1, le=365)] = 30,
    drop_threshold: float = 10.0,
    include_historical: bool = False,
) -> AccuracyTrendsResponse:
    return analytics.accuracy_trends(
        graph_id,
        user_id=user_id,
        days_back=days_back,
        drop_threshold=drop_threshold,
        include_historical=include_historical,
    )
