"""User records and per-user settings."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator


class User(BaseModel):
    id: str
    email: str = ""
    email_verified: bool = True
    name: str | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    metadata: dict[str, Any] = Field(default_factory=dict)
    stripe_customer_id: str | None = None
    top_up_config: dict[str, Any] | None = None
    timezone: str = "not-set"


class NotificationType(enum.StrEnum):
    AGENT_RUN = "AGENT_RUN"
    ZERO_BALANCE = "ZERO_BALANCE"
    LOW_BALANCE = "LOW_BALANCE"
    BLOCK_EXECUTION_FAILED = "BLOCK_EXECUTION_FAILED"
    CONTINUOUS_AGENT_ERROR = "CONTINUOUS_AGENT_ERROR"
    DAILY_SUMMARY = "DAILY_SUMMARY"
    WEEKLY_SUMMARY = "WEEKLY_SUMMARY"
    MONTHLY_SUMMARY = "MONTHLY_SUMMARY"
    REFUND_REQUEST = "REFUND_REQUEST"
    REFUND_PROCESSED = "REFUND_PROCESSED"
    AGENT_APPROVED = "AGENT_APPROVED"
    AGENT_REJECTED = "AGENT_REJECTED"


def default_preferences() -> dict[NotificationType, bool]:
    return {kind: True for kind in NotificationType}


class NotificationPreferenceDTO(BaseModel):
    """Body of ``POST /api/auth/user/preferences``."""

    email: str = Field(..., description="User's email address")
    preferences: dict[NotificationType, bool] = Field(default_factory=default_preferences)
    daily_limit: int = Field(default=10, ge=0)


class NotificationPreference(BaseModel):
    user_id: str
    email: str
    preferences: dict[NotificationType, bool] = Field(default_factory=default_preferences)
    daily_limit: int = 10
    emails_sent_today: int = 0
    last_reset_date: datetime = Field(default_factory=lambda: datetime.now(UTC))


class TimezoneBody(BaseModel):
    timezone: str

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import available_timezones

        if value != "not-set" and value not in available_timezones():
            raise ValueError(f"Unknown IANA timezone: {value}")
        return value
