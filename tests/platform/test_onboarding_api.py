"""``/api/onboarding``: the state's exact shape, per-user isolation, steps, rewards paid
once, reset, and the store-agent suggestions behind the marketplace seam."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agentplatform.config import get_settings
from agentplatform.models.onboarding import StoreAgentDetails
from agentplatform.onboarding import recommendations
from agentplatform.onboarding.recommendations import StoreAgent
from agentplatform.onboarding.service import OnboardingService, consecutive_days, run_milestones
from tests.conftest import OTHER_USER_ID, USER_ID


def default_state(user_id: str) -> dict:
    return {
        "userId": user_id,
        "completedSteps": [],
        "walletShown": False,
        "notified": [],
        "rewardedFor": [],
        "usageReason": None,
        "integrations": [],
        "otherIntegrations": None,
        "selectedStoreListingVersionId": None,
        "agentInput": None,
        "onboardingAgentExecutionId": None,
        "agentRuns": 0,
        "lastRunAt": None,
        "consecutiveRunDays": 0,
    }


@pytest.fixture
def credits_on(monkeypatch):
    monkeypatch.setenv("ENABLE_CREDIT", "true")
    monkeypatch.setenv("ENABLE_BETA_MONTHLY_CREDIT", "false")  # start from a zero balance
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_new_user_has_the_default_state(api):
    resp = api.get("/api/onboarding")
    assert resp.status_code == 200
    assert resp.json() == default_state(USER_ID)


def test_patch_changes_only_what_is_given_and_is_per_user(api, other_api):
    first = api.patch(
        "/api/onboarding",
        json_body={
            "usageReason": "data_research",
            "integrations": ["github", "notion"],
            "walletShown": True,
            "notified": ["WELCOME"],
            "agentInput": {"topic": "llamas", "count": 3},
            "selectedStoreListingVersionId": "slv-1",
        },
    )
    assert first.status_code == 200, first.content
    second = api.patch(
        "/api/onboarding", json_body={"notified": ["CONGRATS", "WELCOME"], "walletShown": False}
    )
    expected = {
        **default_state(USER_ID),
        "usageReason": "data_research",
        "integrations": ["github", "notion"],
        "walletShown": True,  # as upstream, never turned back off
        "notified": ["WELCOME", "CONGRATS"],
        "agentInput": {"topic": "llamas", "count": 3},
        "selectedStoreListingVersionId": "slv-1",
    }
    assert second.json() == expected
    assert api.get("/api/onboarding").json() == expected
    assert other_api.get("/api/onboarding").json() == default_state(OTHER_USER_ID)


def test_patch_refuses_unknown_steps_and_oversized_input(api):
    assert api.patch("/api/onboarding", json_body={"notified": ["NOT_A_STEP"]}).status_code == 422
    big = api.patch("/api/onboarding", json_body={"agentInput": {"text": "x" * 70_000}})
    assert big.status_code == 400
    assert big.json()["detail"] == "agentInput must be at most 65536 bytes of JSON"
    assert api.get("/api/onboarding").json() == default_state(USER_ID)


def test_completing_a_step_records_it_once(api, other_api):
    for _ in range(2):
        resp = api.post("/api/onboarding/step", params={"step": "WELCOME"})
        assert resp.status_code == 200
        assert resp.json() is None
    assert api.get("/api/onboarding").json()["completedSteps"] == ["WELCOME"]
    assert other_api.get("/api/onboarding").json()["completedSteps"] == []


def test_reset_clears_only_the_callers_state(api, other_api):
    api.patch("/api/onboarding", json_body={"usageReason": "writing", "walletShown": True})
    api.post("/api/onboarding/step", params={"step": "WELCOME"})
    other_api.patch("/api/onboarding", json_body={"usageReason": "research"})
    other_api.post("/api/onboarding/step", params={"step": "USAGE_REASON"})

    reset = api.post("/api/onboarding/reset")

    assert reset.status_code == 200
    assert reset.json() == default_state(USER_ID)
    assert api.get("/api/onboarding").json() == default_state(USER_ID)
    assert other_api.get("/api/onboarding").json() == {
        **default_state(OTHER_USER_ID),
        "usageReason": "research",
        "completedSteps": ["USAGE_REASON"],
    }


def test_only_client_steps_can_be_completed(api):
    assert api.post("/api/onboarding/step", params={"step": "RUN_AGENTS_100"}).status_code == 422
    assert api.post("/api/onboarding/step", params={"step": "nonsense"}).status_code == 422
    assert api.post("/api/onboarding/step").status_code == 422
    assert api.get("/api/onboarding").json()["completedSteps"] == []


def test_a_rewarded_step_pays_once_even_after_reset(api, credits_on):
    assert api.get("/api/credits").json() == {"credits": 0}
    api.post("/api/onboarding/step", params={"step": "AGENT_NEW_RUN"})
    api.post("/api/onboarding/step", params={"step": "AGENT_NEW_RUN"})
    state = api.get("/api/onboarding").json()
    assert state["completedSteps"] == ["AGENT_NEW_RUN"]
    assert state["rewardedFor"] == ["AGENT_NEW_RUN"]
    assert api.get("/api/credits").json() == {"credits": 300}

    reset = api.post("/api/onboarding/reset").json()
    assert reset == {**default_state(USER_ID), "rewardedFor": ["AGENT_NEW_RUN"]}
    api.post("/api/onboarding/step", params={"step": "AGENT_NEW_RUN"})
    assert api.get("/api/onboarding").json()["completedSteps"] == ["AGENT_NEW_RUN"]
    assert api.get("/api/credits").json() == {"credits": 300}

    grants = api.get("/api/credits/transactions").json()["transactions"]
    assert [(t["transaction_key"], t["amount"], t["transaction_type"]) for t in grants] == [
        (f"REWARD-{USER_ID}-AGENT_NEW_RUN", 300, "GRANT")
    ]


def test_concurrent_completions_pay_once(cloud, credits_on):
    import concurrent.futures

    from agentplatform.models.onboarding import OnboardingStep
    from agentplatform.store.credits import CreditStore

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(
            pool.map(
                lambda _: OnboardingService().complete_step(USER_ID, OnboardingStep.VISIT_COPILOT), range(4)
            )
        )
    assert CreditStore().snapshot(USER_ID).balance == 500
    assert OnboardingService().get(USER_ID).rewardedFor == [OnboardingStep.VISIT_COPILOT]


def test_steps_without_a_reward_and_credits_off_pay_nothing(api):
    api.post("/api/onboarding/step", params={"step": "AGENT_NEW_RUN"})
    api.post("/api/onboarding/step", params={"step": "WELCOME"})
    state = api.get("/api/onboarding").json()
    assert state["completedSteps"] == ["AGENT_NEW_RUN", "WELCOME"]
    assert state["rewardedFor"] == []
    assert api.get("/api/credits/transactions").json()["transactions"] == []


def test_runs_count_toward_milestones_that_pay(cloud, credits_on):
    from agentplatform.models.onboarding import OnboardingStep
    from agentplatform.store.credits import CreditStore

    service = OnboardingService()
    for _ in range(10):
        service.record_run(USER_ID)
    state = service.get(USER_ID)
    assert state.agentRuns == 10
    assert state.consecutiveRunDays == 1
    assert state.lastRunAt is not None
    assert state.completedSteps == [OnboardingStep.RUN_AGENTS]
    assert CreditStore().snapshot(USER_ID).balance == 300


def test_run_streaks_follow_the_users_calendar_days():
    now = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert consecutive_days(None, 0, "UTC", now) == 1
    assert consecutive_days(datetime(2026, 3, 10, 1, tzinfo=UTC), 4, "UTC", now) == 4
    assert consecutive_days(datetime(2026, 3, 9, 1, tzinfo=UTC), 4, "UTC", now) == 5
    assert consecutive_days(datetime(2026, 3, 8, 1, tzinfo=UTC), 4, "UTC", now) == 1
    # 23:30 UTC is already the 11th in Tokyo; a run on the 10th there was "yesterday".
    assert consecutive_days(datetime(2026, 3, 10, 1, tzinfo=UTC), 4, "Asia/Tokyo", now) == 5
    assert run_milestones(100, 14) == ["RUN_AGENTS", "RUN_AGENTS_100", "RUN_3_DAYS", "RUN_14_DAYS"]
    assert run_milestones(9, 2) == []


def test_without_store_agents_onboarding_is_off_and_suggests_nothing(api, anonymous_api):
    assert api.get("/api/onboarding/agents").json() == []
    assert api.get("/api/onboarding/enabled").json() == {
        "is_onboarding_enabled": False,
        "is_chat_enabled": False,
    }
    for method, path in (
        ("GET", "/api/onboarding"),
        ("PATCH", "/api/onboarding"),
        ("POST", "/api/onboarding/step?step=WELCOME"),
        ("GET", "/api/onboarding/agents"),
        ("GET", "/api/onboarding/enabled"),
        ("POST", "/api/onboarding/reset"),
    ):
        path, _, query = path.partition("?")
        params = dict([query.split("=")]) if query else None
        assert anonymous_api.request(method, path, json_body={}, params=params).status_code == 401


def _agent(slug: str, *, categories=(), description="", runs=0, rating=0.0, featured=False, onboarding=False):
    details = StoreAgentDetails(
        store_listing_version_id=f"slv-{slug}",
        slug=slug,
        agent_name=slug.title(),
        agent_video="",
        agent_output_demo="",
        agent_image=[],
        creator="maker",
        creator_avatar="",
        sub_heading="",
        description=description,
        categories=list(categories),
        runs=runs,
        rating=rating,
        versions=["1"],
        agentGraphVersions=["1"],
        agentGraphId=f"graph-{slug}",
        last_updated=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return StoreAgent(details, featured=featured, use_for_onboarding=onboarding)


def test_suggestions_score_the_store_agents_for_the_users_answers(api, monkeypatch):
    agents = [
        _agent("popular", categories=["business"], runs=5000, rating=4.0),  # no match: left out
        _agent("researcher", categories=["research", "data"], description="reads github issues", rating=3.0),
        _agent("analyst", categories=["data"], runs=2000, rating=4.0),
        _agent("reader", categories=["research"]),
        _agent("writer", categories=["writing"], rating=5.0, featured=True),
    ]
    monkeypatch.setattr(recommendations, "store_agents", lambda: agents)
    api.patch("/api/onboarding", json_body={"usageReason": "data_research", "integrations": ["github"]})
    suggested = api.get("/api/onboarding/agents").json()
    # researcher: 2 categories (200) + github (50) + rating (30); analyst: 100 + 40 + runs 100;
    # reader: 100
    assert [agent["slug"] for agent in suggested] == ["researcher", "analyst"]
    assert suggested[0] == agents[1].details.model_dump(mode="json")
    assert api.get("/api/onboarding/enabled").json()["is_onboarding_enabled"] is True


def test_agents_marked_for_onboarding_come_first(api, monkeypatch):
    agents = [
        _agent("marked-a", onboarding=True, rating=1.0),
        _agent("marked-b", onboarding=True, rating=2.0),
        _agent("match", categories=["research", "data"], rating=5.0),
    ]
    monkeypatch.setattr(recommendations, "store_agents", lambda: agents)
    api.patch("/api/onboarding", json_body={"usageReason": "data_research"})
    assert [a["slug"] for a in api.get("/api/onboarding/agents").json()] == ["marked-b", "marked-a"]


def test_runs_the_user_starts_count_with_their_source(api, other_api, admin_api, credits_on):
    from tests.support.graphs import STORE_VALUE, node
    from tests.support.runs import create_graph

    grant = {"user_id": USER_ID, "amount": 1000, "comments": "to run"}
    assert admin_api.post("/api/credits/admin/add_credits", json_body=grant).status_code == 200
    graph = create_graph(api, {"name": "g", "nodes": [node("n", STORE_VALUE, input="v")], "links": []})
    path = f"/api/graphs/{graph['id']}/execute/{graph['version']}"
    first = api.post(path, json_body={"inputs": {}, "source": "library"})
    assert first.status_code == 200, first.content
    state = api.get("/api/onboarding").json()
    assert (state["agentRuns"], state["consecutiveRunDays"]) == (1, 1)
    assert state["completedSteps"] == ["MARKETPLACE_RUN_AGENT"]
    assert api.post(path, json_body={"inputs": {}, "source": "builder"}).status_code == 200
    state = api.get("/api/onboarding").json()
    assert state["agentRuns"] == 2
    assert state["completedSteps"] == ["MARKETPLACE_RUN_AGENT", "RE_RUN_AGENT", "BUILDER_RUN_AGENT"]
    assert state["rewardedFor"] == ["MARKETPLACE_RUN_AGENT", "RE_RUN_AGENT"]
    assert api.get("/api/credits").json() == {"credits": 1200}  # store-value nodes cost nothing
    assert other_api.get("/api/onboarding").json() == default_state(OTHER_USER_ID)
