"""Request shapes of ``/api/analytics`` (spec §1.3 rows 69-70); both answer the record's id."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

MAX_NAME_CHARS = 256
MAX_DATA_STRING_CHARS = 4096
MAX_DATA_BYTES = 16 * 1024


class LogRawMetricRequest(BaseModel):
    metric_name: str = Field(..., min_length=1, max_length=MAX_NAME_CHARS)
    metric_value: float = Field(..., allow_inf_nan=False)
    data_string: str = Field(..., min_length=1, max_length=MAX_DATA_STRING_CHARS)


class LogRawAnalyticsRequest(BaseModel):
    type: str = Field(..., min_length=1, max_length=MAX_NAME_CHARS)
    data: dict[str, Any] = Field(..., description="The data to log")
    data_index: str = Field(
        ...,
        max_length=MAX_DATA_STRING_CHARS,
        description="Indexable field for any count based analytical measures like page order "
        "clicking, tutorial step completion, etc.",
    )
