"""Which store agents onboarding suggests, and whether onboarding is on at all.

The store's approved listings come from ``store_agents()``, the marketplace seam: until
the marketplace domain is merged it returns no agents, so ``GET /api/onboarding/agents``
answers ``[]`` and onboarding is disabled (upstream needs at least two store agents).
The marketplace replaces only that function's body.

The choice follows upstream: agents marked for onboarding (featured, most run, best
rated first); if fewer than two, any agent matching the user's usage reason (its
categories, or its words in the description) or integrations; the first 50 are scored
and the best two returned.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from agentplatform.models.onboarding import StoreAgentDetails, UserOnboarding

# A usage reason the wizard offers -> the store categories it suggests.
REASON_CATEGORIES: dict[str, list[str]] = {
    "content_marketing": ["writing", "marketing", "creative"],
    "business_workflow_automation": ["business", "productivity"],
    "data_research": ["data", "research"],
    "ai_innovation": ["development", "research"],
    "personal_productivity": ["personal", "productivity"],
}
MIN_AGENT_COUNT = 2  # onboarding needs at least this many store agents
SCORED_AGENT_COUNT = 50
RECOMMENDED_COUNT = 2
CANDIDATE_LIMIT = 100


@dataclass(frozen=True)
class StoreAgent:
    """An approved, available store listing as onboarding sees it."""

    details: StoreAgentDetails
    featured: bool = False
    use_for_onboarding: bool = False


def store_agents() -> list[StoreAgent]:
    """The store's approved, available listings (the marketplace seam: none yet)."""
    return []


def onboarding_enabled() -> bool:
    return len(store_agents()[:MIN_AGENT_COUNT]) >= MIN_AGENT_COUNT


def _words(text: str) -> list[str]:
    cleaned = re.sub(r"[^a-zA-Z0-9\s,]", "", text.strip()[:100])
    return [word.lower() for word in re.split(r"[\s,]+", cleaned) if word]


def _popular_first(agents: Sequence[StoreAgent]) -> list[StoreAgent]:
    return sorted(agents, key=lambda a: (a.featured, a.details.runs, a.details.rating), reverse=True)


def _matches(agent: StoreAgent, categories: list[str], words: list[str], integrations: list[str]) -> bool:
    description = agent.details.description.lower()
    if categories and any(category in agent.details.categories for category in categories):
        return True
    if not categories and any(word in description for word in words):
        return True
    return any(integration.lower() in description for integration in integrations)


def _points(agent: StoreAgent, categories: list[str], words: list[str], integrations: list[str]) -> int:
    details = agent.details
    description_words = details.description.split()
    points: float = 100 * sum(category in details.categories for category in categories)
    points += 100 * sum(word in description_words for word in words)
    points += 50 * sum(integration in description_words for integration in integrations)
    points += 50 if agent.featured else 0
    points += details.rating * 10
    points += min(details.runs / 1000 * 100, 100)
    return int(points)


def recommend(onboarding: UserOnboarding, agents: Sequence[StoreAgent]) -> list[StoreAgentDetails]:
    reason = onboarding.usageReason or ""
    categories = REASON_CATEGORIES.get(reason, [])
    words = _words(reason.lower())
    candidates = _popular_first([a for a in agents if a.use_for_onboarding])[:CANDIDATE_LIMIT]
    if len(candidates) < MIN_AGENT_COUNT:
        matching = [a for a in agents if _matches(a, categories, words, onboarding.integrations)]
        candidates = _popular_first(matching)[:CANDIDATE_LIMIT]
    scored = [
        (a, _points(a, categories, words, onboarding.integrations)) for a in candidates[:SCORED_AGENT_COUNT]
    ]
    scored.sort(key=lambda pair: pair[1], reverse=True)
    return [agent.details for agent, _ in scored[:RECOMMENDED_COUNT]]
