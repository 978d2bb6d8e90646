"""``/api/onboarding`` (spec §1.3 rows 7-12); rules in ``onboarding/service.py``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from agentplatform.api.deps import UserId
from agentplatform.models.onboarding import (
    FrontendOnboardingStep,
    OnboardingStatusResponse,
    StoreAgentDetails,
    UserOnboarding,
    UserOnboardingUpdate,
)
from agentplatform.onboarding.service import OnboardingService

router = APIRouter(prefix="/api/onboarding", tags=["v1", "onboarding"])

ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "Missing or invalid token"}}


def onboarding_service() -> OnboardingService:
    return OnboardingService()


Onboarding = Annotated[OnboardingService, Depends(onboarding_service)]


@router.get("", summary="Onboarding state", responses=ERRORS)
def get_onboarding(user_id: UserId, onboarding: Onboarding) -> UserOnboarding:
    return onboarding.get(user_id)


@router.patch(
    "", summary="Update onboarding state", responses={**ERRORS, 400: {"description": "agentInput too large"}}
)
def update_onboarding(user_id: UserId, onboarding: Onboarding, data: UserOnboardingUpdate) -> UserOnboarding:
    return onboarding.update(user_id, data)


@router.post("/step", summary="Complete onboarding step", responses=ERRORS)
def onboarding_complete_step(user_id: UserId, onboarding: Onboarding, step: FrontendOnboardingStep) -> None:
    """Mark a step completed (once); a rewarded step grants its credits the first time."""
    onboarding.complete_step(user_id, step)


@router.get("/agents", summary="Recommended onboarding agents", responses=ERRORS)
def get_onboarding_agents(user_id: UserId, onboarding: Onboarding) -> list[StoreAgentDetails]:
    return onboarding.recommended_agents(user_id)


@router.get("/enabled", summary="Is onboarding enabled", tags=["public"], responses=ERRORS)
def is_onboarding_enabled(user_id: UserId, onboarding: Onboarding) -> OnboardingStatusResponse:
    return onboarding.status()


@router.post("/reset", summary="Reset onboarding progress", responses=ERRORS)
def reset_onboarding(user_id: UserId, onboarding: Onboarding) -> UserOnboarding:
    return onboarding.reset(user_id)
