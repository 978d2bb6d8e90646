"""Onboarding rules behind ``/api/onboarding`` (spec §1.3 rows 7-12), as upstream.

- A user without an onboarding item has the default state; the first change creates it.
- Completing a step adds it once. A rewarded step also grants credits (credits enabled):
  a ledger GRANT keyed ``REWARD-<user>-<step>``, so a step pays once per user ever, even
  after a reset or when two requests complete it at the same time. ``rewardedFor`` lists
  the steps that paid.
- Runs count toward milestones (10 and 100 runs, 3 and 14 consecutive days in the
  user's time zone), each completed as a step; a run started through the execute route
  also completes RE_RUN_AGENT (a graph run before) and its source's step
  (``record_execution``, called by that route).
- Reset clears the progress but not ``rewardedFor``: a reward is never paid twice.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from agentplatform.credits.service import CreditService, credits_enabled
from agentplatform.errors import NotFoundError
from agentplatform.models.credits import CreditTransactionType
from agentplatform.models.onboarding import (
    OnboardingStatusResponse,
    OnboardingStep,
    StoreAgentDetails,
    UserOnboarding,
    UserOnboardingUpdate,
)
from agentplatform.onboarding import recommendations
from agentplatform.store.credits import DuplicateTransaction
from agentplatform.store.onboarding import OnboardingStore, StaleOnboarding

# Credits (cents) granted the first time a user completes the step.
REWARDS: dict[OnboardingStep, int] = {
    OnboardingStep.VISIT_COPILOT: 500,
    OnboardingStep.AGENT_NEW_RUN: 300,
    OnboardingStep.MARKETPLACE_VISIT: 100,
    OnboardingStep.MARKETPLACE_ADD_AGENT: 100,
    OnboardingStep.MARKETPLACE_RUN_AGENT: 100,
    OnboardingStep.BUILDER_SAVE_AGENT: 100,
    OnboardingStep.RE_RUN_AGENT: 100,
    OnboardingStep.SCHEDULE_AGENT: 100,
    OnboardingStep.RUN_AGENTS: 300,
    OnboardingStep.RUN_3_DAYS: 100,
    OnboardingStep.TRIGGER_WEBHOOK: 100,
    OnboardingStep.RUN_14_DAYS: 300,
    OnboardingStep.RUN_AGENTS_100: 300,
}
# A run started from here completes this step.
SOURCE_STEPS = {"library": OnboardingStep.MARKETPLACE_RUN_AGENT, "builder": OnboardingStep.BUILDER_RUN_AGENT}
MAX_AGENT_INPUT_BYTES = 64 * 1024
_ATTEMPTS = 10

# Fields a reset returns to their defaults (``rewardedFor`` stays: rewards pay once).
_RESET_FIELDS = (
    "completedSteps", "walletShown", "notified", "usageReason", "integrations", "otherIntegrations",
    "selectedStoreListingVersionId", "agentInput", "onboardingAgentExecutionId", "agentRuns",
    "lastRunAt", "consecutiveRunDays",
)  # fmt: skip

Change = Callable[[UserOnboarding], UserOnboarding | None]  # None: nothing to write


def reward_key(user_id: str, step: OnboardingStep) -> str:
    return f"REWARD-{user_id}-{step.value}"


def _with(steps: list[OnboardingStep], step: OnboardingStep) -> list[OnboardingStep]:
    return steps if step in steps else [*steps, step]


def run_milestones(run_count: int, consecutive_days: int) -> list[OnboardingStep]:
    milestones = []
    if run_count >= 10:
        milestones.append(OnboardingStep.RUN_AGENTS)
    if run_count >= 100:
        milestones.append(OnboardingStep.RUN_AGENTS_100)
    if consecutive_days >= 3:
        milestones.append(OnboardingStep.RUN_3_DAYS)
    if consecutive_days >= 14:
        milestones.append(OnboardingStep.RUN_14_DAYS)
    return milestones


def consecutive_days(last_run_at: datetime | None, streak: int, timezone: str, now: datetime) -> int:
    """The run streak after a run at ``now``: days are the user's calendar days."""
    if last_run_at is None:
        return 1
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    last = (last_run_at if last_run_at.tzinfo else last_run_at.replace(tzinfo=UTC)).astimezone(zone).date()
    if last == today:
        return max(streak, 1)
    if last == today - timedelta(days=1):
        return streak + 1
    return 1


class OnboardingService:
    def __init__(self, store: OnboardingStore | None = None, credits: CreditService | None = None):
        self.store = store or OnboardingStore()
        self.credits = credits  # built on first reward: most requests never pay one

    # -- state

    def get(self, user_id: str) -> UserOnboarding:
        return self._load(user_id)[0]

    def _load(self, user_id: str) -> tuple[UserOnboarding, int]:
        stored = self.store.get(user_id)
        return UserOnboarding.model_validate({**stored.doc, "userId": user_id}), stored.rev

    def _modify(self, user_id: str, change: Change) -> UserOnboarding:
        for _ in range(_ATTEMPTS):
            current, rev = self._load(user_id)
            changed = change(current.model_copy(deep=True))
            if changed is None:
                return current
            try:
                self.store.save(user_id, changed.model_dump(mode="json", exclude={"userId"}), rev)
            except StaleOnboarding:
                continue
            return changed
        raise RuntimeError("onboarding state kept changing")

    def update(self, user_id: str, data: UserOnboardingUpdate) -> UserOnboarding:
        if data.agentInput is not None and len(json.dumps(data.agentInput)) > MAX_AGENT_INPUT_BYTES:
            raise ValueError(f"agentInput must be at most {MAX_AGENT_INPUT_BYTES} bytes of JSON")
        given = data.model_dump(exclude_none=True, exclude={"notified"})
        if not data.walletShown:  # as upstream: walletShown can only be turned on
            given.pop("walletShown", None)

        def change(onboarding: UserOnboarding) -> UserOnboarding:
            updated = onboarding.model_copy(update=given)
            for step in data.notified or ():  # added to what was notified before
                updated.notified = _with(updated.notified, step)
            return updated

        return self._modify(user_id, change)

    def reset(self, user_id: str) -> UserOnboarding:
        defaults = UserOnboarding(userId=user_id)

        def change(onboarding: UserOnboarding) -> UserOnboarding:
            return onboarding.model_copy(update={name: getattr(defaults, name) for name in _RESET_FIELDS})

        return self._modify(user_id, change)

    # -- steps and rewards

    def complete_step(self, user_id: str, step: OnboardingStep) -> None:
        if step in self.get(user_id).completedSteps:
            return
        rewarded = self._reward(user_id, step)

        def change(onboarding: UserOnboarding) -> UserOnboarding | None:
            if step in onboarding.completedSteps and (not rewarded or step in onboarding.rewardedFor):
                return None
            onboarding.completedSteps = _with(onboarding.completedSteps, step)
            if rewarded:
                onboarding.rewardedFor = _with(onboarding.rewardedFor, step)
            return onboarding

        self._modify(user_id, change)

    def _reward(self, user_id: str, step: OnboardingStep) -> bool:
        """Grant the step's credits unless they were granted before; True if the step has
        paid (now or earlier). Nothing pays while credits are disabled."""
        amount = REWARDS.get(step, 0)
        if not amount or not credits_enabled():
            return False
        with contextlib.suppress(DuplicateTransaction):  # paid before: still paid once
            self._credits().add_transaction(
                user_id,
                amount,
                CreditTransactionType.GRANT,
                key=reward_key(user_id, step),
                metadata={"reason": f"Reward for completing {step.value} onboarding step."},
            )
        return True

    def _credits(self) -> CreditService:
        if self.credits is None:
            self.credits = CreditService()
        return self.credits

    def record_run(self, user_id: str, timezone: str = "UTC") -> UserOnboarding:
        """Count a run and complete the milestones it reaches; the state after counting."""
        at = datetime.now(UTC)
        zone = timezone if timezone and timezone != "not-set" else "UTC"

        def change(onboarding: UserOnboarding) -> UserOnboarding:
            onboarding.consecutiveRunDays = consecutive_days(
                onboarding.lastRunAt, onboarding.consecutiveRunDays, zone, at
            )
            onboarding.agentRuns += 1
            onboarding.lastRunAt = at
            return onboarding

        counted = self._modify(user_id, change)
        for step in run_milestones(counted.agentRuns, counted.consecutiveRunDays):
            if step not in counted.completedSteps:
                self.complete_step(user_id, step)
                counted.completedSteps = _with(counted.completedSteps, step)
        return counted

    def record_execution(self, user_id: str, graph_id: str, source: str | None) -> None:
        """What a run the user started counts for, as upstream's execute route: a run
        (milestones), a re-run of a graph run before, a run from the library or builder."""
        from agentplatform.store.users import UserRepository

        try:
            timezone = UserRepository(self.store.table).get(user_id).timezone
        except NotFoundError:
            timezone = "UTC"
        completed = self.record_run(user_id, timezone).completedSteps
        if OnboardingStep.RE_RUN_AGENT not in completed and self.store.runs_of_graph_at_least(
            user_id, graph_id, 2
        ):
            self.complete_step(user_id, OnboardingStep.RE_RUN_AGENT)
        step = SOURCE_STEPS.get(source or "")
        if step is not None:
            self.complete_step(user_id, step)

    # -- store agents

    def recommended_agents(self, user_id: str) -> list[StoreAgentDetails]:
        return recommendations.recommend(self.get(user_id), recommendations.store_agents())

    def status(self) -> OnboardingStatusResponse:
        # This platform has no chat (upstream's copilot), so the classic onboarding is the only one.
        return OnboardingStatusResponse(
            is_onboarding_enabled=recommendations.onboarding_enabled(), is_chat_enabled=False
        )
