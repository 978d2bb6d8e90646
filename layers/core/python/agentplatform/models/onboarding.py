"""Shapes of the onboarding routes (spec §1.3 rows 7-12), as upstream's ``UserOnboarding``."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from agentplatform.models.store_agent import StoreAgentDetails

__all__ = ["StoreAgentDetails"]  # what GET /api/onboarding/agents lists


class OnboardingStep(enum.StrEnum):
    # Introductory onboarding (Library)
    WELCOME = "WELCOME"
    USAGE_REASON = "USAGE_REASON"
    INTEGRATIONS = "INTEGRATIONS"
    AGENT_CHOICE = "AGENT_CHOICE"
    AGENT_NEW_RUN = "AGENT_NEW_RUN"
    AGENT_INPUT = "AGENT_INPUT"
    CONGRATS = "CONGRATS"
    # First wins
    VISIT_COPILOT = "VISIT_COPILOT"
    GET_RESULTS = "GET_RESULTS"
    MARKETPLACE_VISIT = "MARKETPLACE_VISIT"
    MARKETPLACE_ADD_AGENT = "MARKETPLACE_ADD_AGENT"
    MARKETPLACE_RUN_AGENT = "MARKETPLACE_RUN_AGENT"
    BUILDER_SAVE_AGENT = "BUILDER_SAVE_AGENT"
    # Consistency challenge
    RE_RUN_AGENT = "RE_RUN_AGENT"
    SCHEDULE_AGENT = "SCHEDULE_AGENT"
    RUN_AGENTS = "RUN_AGENTS"
    RUN_3_DAYS = "RUN_3_DAYS"
    # The pro playground
    TRIGGER_WEBHOOK = "TRIGGER_WEBHOOK"
    RUN_14_DAYS = "RUN_14_DAYS"
    RUN_AGENTS_100 = "RUN_AGENTS_100"
    # Tracked, not rewarded
    BUILDER_OPEN = "BUILDER_OPEN"
    BUILDER_RUN_AGENT = "BUILDER_RUN_AGENT"


# The steps a client may complete itself (``POST /api/onboarding/step``); the others are
# completed by what the user does (runs, schedules, ...).
FrontendOnboardingStep = Literal[
    OnboardingStep.WELCOME,
    OnboardingStep.USAGE_REASON,
    OnboardingStep.INTEGRATIONS,
    OnboardingStep.AGENT_CHOICE,
    OnboardingStep.AGENT_NEW_RUN,
    OnboardingStep.AGENT_INPUT,
    OnboardingStep.CONGRATS,
    OnboardingStep.VISIT_COPILOT,
    OnboardingStep.MARKETPLACE_VISIT,
    OnboardingStep.BUILDER_OPEN,
]


class UserOnboarding(BaseModel):
    userId: str
    completedSteps: list[OnboardingStep] = Field(default_factory=list)
    walletShown: bool = False
    notified: list[OnboardingStep] = Field(default_factory=list)
    rewardedFor: list[OnboardingStep] = Field(default_factory=list)
    usageReason: str | None = None
    integrations: list[str] = Field(default_factory=list)
    otherIntegrations: str | None = None
    selectedStoreListingVersionId: str | None = None
    agentInput: dict[str, Any] | None = None
    onboardingAgentExecutionId: str | None = None
    agentRuns: int = 0
    lastRunAt: datetime | None = None
    consecutiveRunDays: int = 0


class UserOnboardingUpdate(BaseModel):
    """``PATCH /api/onboarding``: only the fields given change; ``notified`` adds to the set."""

    walletShown: bool | None = None
    notified: list[OnboardingStep] | None = None
    usageReason: str | None = Field(default=None, max_length=1000)
    integrations: list[str] | None = Field(default=None, max_length=100)
    otherIntegrations: str | None = Field(default=None, max_length=1000)
    selectedStoreListingVersionId: str | None = Field(default=None, max_length=200)
    agentInput: dict[str, Any] | None = None
    onboardingAgentExecutionId: str | None = Field(default=None, max_length=200)


class OnboardingStatusResponse(BaseModel):
    is_onboarding_enabled: bool
    is_chat_enabled: bool
