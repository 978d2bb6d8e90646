"""A store agent's details (upstream's ``StoreAgentDetails``), on its own so that the
onboarding routes can answer with it without loading the whole marketplace model."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class ChangelogEntry(BaseModel):
    version: str
    changes_summary: str
    date: datetime


class StoreAgentDetails(BaseModel):
    store_listing_version_id: str
    slug: str
    agent_name: str
    agent_video: str
    agent_output_demo: str
    agent_image: list[str]
    creator: str
    creator_avatar: str
    sub_heading: str
    description: str
    instructions: str | None = None
    categories: list[str]
    runs: int
    rating: float
    versions: list[str]
    agentGraphVersions: list[str]
    agentGraphId: str
    last_updated: datetime
    recommended_schedule_cron: str | None = None
    active_version_id: str | None = None
    has_approved_version: bool = False
    changelog: list[ChangelogEntry] | None = None
