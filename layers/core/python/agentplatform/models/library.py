"""The library's shapes (AutoGPT's ``api/features/library/model.py``): agents and presets."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from agentplatform.models.credentials import CredentialsMetaInput
from agentplatform.models.execution import Pagination
from agentplatform.models.graph import GraphSettings
from agentplatform.models.webhooks import Webhook


class LibraryAgentStatus(enum.StrEnum):
    COMPLETED = "COMPLETED"
    HEALTHY = "HEALTHY"
    WAITING = "WAITING"
    ERROR = "ERROR"


class LibraryAgentSort(enum.StrEnum):
    CREATED_AT = "createdAt"
    UPDATED_AT = "updatedAt"


class MarketplaceListingCreator(BaseModel):
    name: str
    id: str
    slug: str


class MarketplaceListing(BaseModel):
    id: str
    name: str
    slug: str
    creator: MarketplaceListingCreator


class LibraryAgent(BaseModel):
    """An agent in a user's library: a graph they created, or one added from the marketplace."""

    id: str
    graph_id: str
    graph_version: int
    owner_user_id: str
    image_url: str | None = None
    creator_name: str
    creator_image_url: str
    status: LibraryAgentStatus
    created_at: datetime
    updated_at: datetime
    name: str
    description: str
    instructions: str | None = None
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    credentials_input_schema: dict[str, Any] | None = Field(
        description="Input schema for credentials required by the agent"
    )
    has_external_trigger: bool = Field(
        description="Whether the agent has an external trigger (e.g. webhook) node"
    )
    has_human_in_the_loop: bool = Field(description="Whether the agent has human-in-the-loop blocks")
    has_sensitive_action: bool = Field(description="Whether the agent has sensitive action blocks")
    trigger_setup_info: dict[str, Any] | None = None
    new_output: bool
    can_access_graph: bool = Field(description="Whether the user owns the agent's graph")
    is_latest_version: bool
    is_favorite: bool
    recommended_schedule_cron: str | None = None
    settings: GraphSettings = Field(default_factory=GraphSettings)
    marketplace_listing: MarketplaceListing | None = None


class LibraryAgentResponse(BaseModel):
    agents: list[LibraryAgent]
    pagination: Pagination


class LibraryAgentUpdateRequest(BaseModel):
    auto_update_version: bool | None = Field(default=None, description="Auto-update the agent version")
    graph_version: int | None = Field(default=None, description="Specific graph version to update to")
    is_favorite: bool | None = Field(default=None, description="Mark the agent as a favorite")
    is_archived: bool | None = Field(default=None, description="Archive the agent")
    settings: GraphSettings | None = Field(default=None, description="User-specific settings for this agent")


class AddMarketplaceAgentRequest(BaseModel):
    store_listing_version_id: str
    source: Literal["onboarding", "marketplace"] = "marketplace"


# ------------------------------------------------------------------------ presets

GraphInput = dict[str, Any]


class LibraryAgentPresetCreatable(BaseModel):
    """A preset from explicit inputs. Webhooks are never caller-chosen (see setup-trigger)."""

    graph_id: str
    graph_version: int
    inputs: GraphInput
    credentials: dict[str, CredentialsMetaInput]
    name: str
    description: str
    is_active: bool = True


class LibraryAgentPresetCreatableFromGraphExecution(BaseModel):
    """A preset holding the inputs and credentials of an earlier run."""

    graph_execution_id: str
    name: str
    description: str
    is_active: bool = True


class LibraryAgentPresetUpdatable(BaseModel):
    inputs: GraphInput | None = None
    credentials: dict[str, CredentialsMetaInput] | None = None
    name: str | None = None
    description: str | None = None
    is_active: bool | None = None


class TriggeredPresetSetupRequest(BaseModel):
    name: str
    description: str = ""
    graph_id: str
    graph_version: int
    trigger_config: dict[str, Any]
    agent_credentials: dict[str, CredentialsMetaInput] = Field(default_factory=dict)


class LibraryAgentPreset(LibraryAgentPresetCreatable):
    id: str
    user_id: str
    created_at: datetime
    updated_at: datetime
    webhook_id: str | None = None
    webhook: Webhook | None = None


class LibraryAgentPresetResponse(BaseModel):
    presets: list[LibraryAgentPreset]
    pagination: Pagination


class ExecutePresetRequest(BaseModel):
    """Inputs and credentials that override the preset's for this run."""

    inputs: GraphInput = Field(default_factory=dict)
    credential_inputs: dict[str, CredentialsMetaInput] = Field(default_factory=dict)
