"""Webhook shapes (AutoGPT's ``Webhook`` and ``GraphTriggerInfo``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Webhook(BaseModel):
    """A platform webhook as the API shows it. Its signing secret is never shown."""

    id: str
    user_id: str
    provider: str
    credentials_id: str = ""
    webhook_type: str
    resource: str = ""
    events: list[str] = Field(default_factory=list)
    config: dict[str, Any] = Field(default_factory=dict)
    provider_webhook_id: str = ""
    url: str = Field(description="Where the provider (or anyone holding it) sends events")


class GraphTriggerInfo(BaseModel):
    provider: str
    config_schema: dict[str, Any] = Field(description="Input schema for the trigger block")
    credentials_input_name: str | None
