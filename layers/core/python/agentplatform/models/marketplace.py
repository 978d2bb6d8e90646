"""The marketplace's shapes (AutoGPT's ``api/features/store/model.py``, spec §1.5 "Store").

Field names, defaults and their order follow upstream at the pinned release, including
its mixed casing (``agentGraphVersions``, ``agentGraphId``).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from agentplatform.models.execution import Pagination
from agentplatform.models.store_agent import ChangelogEntry, StoreAgentDetails

__all__ = ["ChangelogEntry", "StoreAgentDetails"]  # defined apart, for onboarding's cold start


class SubmissionStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class StoreAgentsSort(enum.StrEnum):
    RATING = "rating"
    RUNS = "runs"
    NAME = "name"
    UPDATED_AT = "updated_at"


class CreatorsSort(enum.StrEnum):
    AGENT_RATING = "agent_rating"
    AGENT_RUNS = "agent_runs"
    NUM_AGENTS = "num_agents"


class ContentType(enum.StrEnum):
    """What ``GET /api/store/search`` can return. ``CREATOR`` is beyond upstream;
    ``DOCUMENTATION`` is accepted and has no entries here."""

    STORE_AGENT = "STORE_AGENT"
    BLOCK = "BLOCK"
    CREATOR = "CREATOR"
    DOCUMENTATION = "DOCUMENTATION"


class MyAgent(BaseModel):
    agent_id: str
    agent_version: int
    agent_name: str
    agent_image: str | None = None
    description: str
    last_edited: datetime
    recommended_schedule_cron: str | None = None


class MyAgentsResponse(BaseModel):
    agents: list[MyAgent]
    pagination: Pagination


class StoreAgent(BaseModel):
    slug: str
    agent_name: str
    agent_image: str
    creator: str
    creator_avatar: str
    sub_heading: str
    description: str
    runs: int
    rating: float


class StoreAgentsResponse(BaseModel):
    agents: list[StoreAgent]
    pagination: Pagination


class Creator(BaseModel):
    name: str
    username: str
    description: str
    avatar_url: str
    num_agents: int
    agent_rating: float
    agent_runs: int
    is_featured: bool


class CreatorsResponse(BaseModel):
    creators: list[Creator]
    pagination: Pagination


class CreatorDetails(BaseModel):
    name: str
    username: str
    description: str
    links: list[str]
    avatar_url: str
    agent_rating: float
    agent_runs: int
    top_categories: list[str]


class Profile(BaseModel):
    """What a user sends to create or update their store profile."""

    name: str = Field(max_length=100)
    username: str = Field(min_length=1, max_length=64)
    description: str = Field(default="", max_length=2000)
    links: list[str] = Field(default_factory=list, max_length=20)
    avatar_url: str = ""
    is_featured: bool = False  # read-only: admins feature creators


class ProfileDetails(BaseModel):
    name: str
    username: str
    description: str
    links: list[str]
    avatar_url: str | None = None


class StoreSubmission(BaseModel):
    listing_id: str
    agent_id: str
    agent_version: int
    name: str
    sub_heading: str
    slug: str
    description: str
    instructions: str | None = None
    image_urls: list[str]
    date_submitted: datetime
    status: SubmissionStatus
    runs: int
    rating: float
    store_listing_version_id: str | None = None
    version: int | None = None
    reviewer_id: str | None = None
    review_comments: str | None = None
    internal_comments: str | None = None
    reviewed_at: datetime | None = None
    changes_summary: str | None = None
    video_url: str | None = None
    agent_output_demo_url: str | None = None
    categories: list[str] = Field(default_factory=list)


class StoreSubmissionsResponse(BaseModel):
    submissions: list[StoreSubmission]
    pagination: Pagination


class StoreListingWithVersions(BaseModel):
    """A store listing with its version history (admin view)."""

    listing_id: str
    slug: str
    agent_id: str
    agent_version: int
    active_version_id: str | None = None
    has_approved_version: bool = False
    creator_email: str | None = None
    latest_version: StoreSubmission | None = None
    versions: list[StoreSubmission] = Field(default_factory=list)


class StoreListingsWithVersionsResponse(BaseModel):
    listings: list[StoreListingWithVersions]
    pagination: Pagination


class StoreSubmissionEditRequest(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    sub_heading: str = Field(max_length=500)
    video_url: str | None = None
    agent_output_demo_url: str | None = None
    image_urls: list[str] = Field(default_factory=list, max_length=20)
    description: str = Field(default="", max_length=10_000)
    instructions: str | None = Field(default=None, max_length=10_000)
    categories: list[str] = Field(default_factory=list, max_length=10)
    changes_summary: str | None = Field(default=None, max_length=2000)
    recommended_schedule_cron: str | None = None


class StoreSubmissionRequest(StoreSubmissionEditRequest):
    agent_id: str = Field(min_length=1, description="Agent ID cannot be empty")
    agent_version: int = Field(gt=0, description="Agent version must be greater than 0")
    slug: str = Field(min_length=1, max_length=100)


class StoreReview(BaseModel):
    score: int
    comments: str | None = None


class StoreReviewCreate(BaseModel):
    store_listing_version_id: str
    score: int = Field(ge=1, le=5)
    comments: str | None = Field(default=None, max_length=5000)


class ReviewSubmissionRequest(BaseModel):
    store_listing_version_id: str
    is_approved: bool
    comments: str = Field(max_length=5000)  # visible to the creator
    internal_comments: str | None = Field(default=None, max_length=5000)  # admins only


class ImageURLResponse(BaseModel):
    image_url: str


class UnifiedSearchResult(BaseModel):
    content_type: str
    content_id: str
    searchable_text: str
    metadata: dict[str, Any] | None = None
    updated_at: datetime | None = None
    combined_score: float | None = None
    semantic_score: float | None = None
    lexical_score: float | None = None


class UnifiedSearchResponse(BaseModel):
    results: list[UnifiedSearchResult]
    pagination: Pagination


# -- the external API's chat tools (``/external-api/v1/tools/*``, upstream's tool responses)


class ToolResponseType(enum.StrEnum):
    AGENTS_FOUND = "agents_found"
    SETUP_REQUIREMENTS = "setup_requirements"
    EXECUTION_STARTED = "execution_started"
    ERROR = "error"
    NO_RESULTS = "no_results"
    INPUT_VALIDATION_ERROR = "input_validation_error"


class ToolResponseBase(BaseModel):
    type: ToolResponseType
    message: str
    session_id: str | None = None


class AgentInfo(BaseModel):
    id: str
    name: str
    description: str
    source: str = Field(description="marketplace or library")
    in_library: bool = False
    creator: str | None = None
    category: str | None = None
    rating: float | None = None
    runs: int | None = None
    is_featured: bool | None = None
    status: str | None = None
    can_access_graph: bool | None = None
    has_external_trigger: bool | None = None
    new_output: bool | None = None
    graph_id: str | None = None
    inputs: dict[str, Any] | None = None


class FindAgentRequest(BaseModel):
    query: str = Field(min_length=1, max_length=100, description="Search query for finding agents")


class AgentsFoundResponse(ToolResponseBase):
    type: ToolResponseType = ToolResponseType.AGENTS_FOUND
    title: str = "Available Agents"
    agents: list[AgentInfo]
    count: int
    name: str = "agents_found"


class NoResultsResponse(ToolResponseBase):
    type: ToolResponseType = ToolResponseType.NO_RESULTS
    suggestions: list[str] = Field(default_factory=list)
    name: str = "no_results"


class RunAgentRequest(BaseModel):
    username_agent_slug: str = Field(description="The marketplace agent slug (e.g., 'username/agent-name')")
    inputs: dict[str, Any] = Field(default_factory=dict)
    use_defaults: bool = False
    schedule_name: str | None = None
    cron: str | None = None
    timezone: str = "UTC"


class InputField(BaseModel):
    name: str
    type: str = "string"
    description: str = ""
    required: bool = False
    default: Any | None = None


class UserReadiness(BaseModel):
    has_all_credentials: bool = False
    missing_credentials: dict[str, Any] = Field(default_factory=dict)
    ready_to_run: bool = False


class SetupInfo(BaseModel):
    agent_id: str
    agent_name: str
    requirements: dict[str, list[Any]]
    user_readiness: UserReadiness = Field(default_factory=UserReadiness)


class SetupRequirementsResponse(ToolResponseBase):
    type: ToolResponseType = ToolResponseType.SETUP_REQUIREMENTS
    setup_info: SetupInfo
    graph_id: str | None = None
    graph_version: int | None = None


class ExecutionStartedResponse(ToolResponseBase):
    type: ToolResponseType = ToolResponseType.EXECUTION_STARTED
    execution_id: str
    graph_id: str
    graph_name: str
    library_agent_id: str | None = None
    library_agent_link: str | None = None
    status: str = "QUEUED"


class ErrorResponse(ToolResponseBase):
    type: ToolResponseType = ToolResponseType.ERROR
    error: str | None = None
    details: dict[str, Any] | None = None


class InputValidationErrorResponse(ToolResponseBase):
    type: ToolResponseType = ToolResponseType.INPUT_VALIDATION_ERROR
    unrecognized_fields: list[str]
    inputs: dict[str, Any]
    graph_id: str | None = None
    graph_version: int | None = None
