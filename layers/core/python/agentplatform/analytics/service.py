"""``log_raw_metric`` / ``log_raw_analytics``: one record in the user's partition each,
and one CloudWatch metric through Powertools' Embedded Metric Format (a JSON log line
that CloudWatch turns into a metric; no API call, no extra permission).

Metric names and event types come from clients, so they travel as EMF metadata (searchable
in Logs Insights) on two fixed metrics, ``RawMetric`` and ``RawAnalyticsEvent``, rather
than as dimensions: a client cannot mint billable custom metrics. Records expire after
``ANALYTICS_RETENTION_DAYS`` (0 keeps them).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from agentplatform.config import get_settings
from agentplatform.models.analytics import MAX_DATA_BYTES, LogRawAnalyticsRequest, LogRawMetricRequest
from agentplatform.store.analytics import AnalyticsStore
from agentplatform.store.executions import now

RAW_METRIC = "RawMetric"
RAW_EVENT = "RawAnalyticsEvent"


def _expiry() -> int | None:
    days = get_settings().analytics_retention_days
    return int(time.time()) + days * 86400 if days > 0 else None


def _emit(name: str, value: float, metadata: dict[str, Any]) -> None:
    from aws_lambda_powertools.metrics import MetricUnit, single_metric  # deferred: cold start

    with single_metric(name=name, unit=MetricUnit.Count if name == RAW_EVENT else MetricUnit.NoUnit,
                       value=value) as metric:  # fmt: skip
        for key, item in metadata.items():
            metric.add_metadata(key=key, value=item)


class AnalyticsService:
    def __init__(self, store: AnalyticsStore | None = None):
        self.store = store or AnalyticsStore()

    def log_raw_metric(self, user_id: str, request: LogRawMetricRequest) -> str:
        if request.metric_value < 0:
            raise ValueError("metric_value must be non-negative")
        record_id = str(uuid.uuid4())
        self.store.put_metric(
            user_id,
            record_id,
            name=request.metric_name,
            value=request.metric_value,
            data_string=request.data_string,
            at=now(),
            ttl=_expiry(),
        )
        _emit(RAW_METRIC, request.metric_value, {"metric_name": request.metric_name, "user_id": user_id})
        return record_id

    def log_raw_analytics(self, user_id: str, request: LogRawAnalyticsRequest) -> str:
        if len(json.dumps(request.data, default=str)) > MAX_DATA_BYTES:
            raise ValueError(f"data must be at most {MAX_DATA_BYTES} bytes of JSON")
        record_id = str(uuid.uuid4())
        self.store.put_event(
            user_id,
            record_id,
            kind=request.type,
            data=request.data,
            data_index=request.data_index,
            at=now(),
            ttl=_expiry(),
        )
        _emit(RAW_EVENT, 1, {"type": request.type, "data_index": request.data_index, "user_id": user_id})
        return record_id
