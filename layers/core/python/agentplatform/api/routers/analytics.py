"""``/api/analytics`` (spec §1.3 rows 69-70); rules in ``analytics/service.py``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends

from agentplatform.analytics.service import AnalyticsService
from agentplatform.api.deps import UserId
from agentplatform.models.analytics import LogRawAnalyticsRequest, LogRawMetricRequest

router = APIRouter(prefix="/api/analytics", tags=["analytics"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Negative metric value, or data too large"},
    401: {"description": "Missing or invalid token"},
}


def analytics_service() -> AnalyticsService:
    return AnalyticsService()


Analytics = Annotated[AnalyticsService, Depends(analytics_service)]


@router.post("/log_raw_metric", summary="log_raw_metric", responses=ERRORS)
def log_raw_metric(user_id: UserId, analytics: Analytics, request: LogRawMetricRequest) -> str:
    """Record a metric value; answers the record's id."""
    return analytics.log_raw_metric(user_id, request)


@router.post("/log_raw_analytics", summary="log_raw_analytics", responses=ERRORS)
def log_raw_analytics(
    user_id: UserId,
    analytics: Analytics,
    type: Annotated[str, Body(embed=True, min_length=1, max_length=256)],
    data: Annotated[dict[str, Any], Body(embed=True, description="The data to log")],
    data_index: Annotated[
        str,
        Body(
            embed=True,
            max_length=4096,
            description="Indexable field for any count based analytical measures like page order "
            "clicking, tutorial step completion, etc.",
        ),
    ],
) -> str:
    """Record an analytics event; answers the record's id."""
    return analytics.log_raw_analytics(
        user_id, LogRawAnalyticsRequest(type=type, data=data, data_index=data_index)
    )
