"""``/api/executions/admin``: admin only; summaries and scores of a graph's finished runs
from a model reached through the platform's AI client (a loopback stub here), saved with
the runs; 503 without a model key; accuracy trends and drop alerts from the scores."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from agentplatform.config import get_settings
from agentplatform.models.execution import ExecutionStatus, GraphExecutionMeta
from agentplatform.store.execution_analytics import ExecutionAnalyticsStore
from agentplatform.store.executions import run_item
from agentplatform.store.table import Table
from tests.conftest import OTHER_USER_ID, USER_ID
from tests.support.graphs import STORE_VALUE, node
from tests.support.llm_stub import llm_stub, openai_text
from tests.support.runs import create_graph, execute, get_run, wait_for

__all__ = ["llm_stub"]

BASE = "/api/executions/admin"
KEY = "sk-platform-analytics-0001"


def _summary(text: str, score: float):
    return openai_text(json.dumps({"activity_status": text, "correctness_score": score}))


@pytest.fixture
def model(monkeypatch, llm_stub):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OUTBOUND_HOST_OVERRIDES", f"api.openai.com={llm_stub.url}")
    get_settings.cache_clear()
    llm_stub.expected_key = KEY
    yield llm_stub
    get_settings.cache_clear()


@pytest.fixture
def graph_runs(api):
    """A graph with two finished runs of its owner."""
    graph = create_graph(
        api,
        {"name": "Keeper", "description": "keeps", "nodes": [node("n", STORE_VALUE, input="v")], "links": []},
    )
    runs = [execute(api, graph) for _ in range(2)]
    return graph, [wait_for(api, graph["id"], run["id"]) for run in runs]


def _foreign_run(graph_id: str, *, days_ago: float = 0, status: str = "COMPLETED") -> dict:
    """A finished run of the graph by another user (as a marketplace copy would run)."""
    created = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
    meta = GraphExecutionMeta(
        id=str(uuid.uuid4()), user_id=OTHER_USER_ID, graph_id=graph_id, graph_version=1,
        status=ExecutionStatus(status),
    )  # fmt: skip
    item = {**run_item(meta, created_at=created), "graph_owner_id": USER_ID}
    Table().put(item)
    return item


def test_only_admins_reach_the_routes(api, anonymous_api, admin_api):
    routes = (
        ("GET", f"{BASE}/execution_analytics/config", None),
        ("POST", f"{BASE}/execution_analytics", {"graph_id": "g"}),
        ("GET", f"{BASE}/execution_accuracy_trends?graph_id=g", None),
    )
    for method, path, body in routes:
        path, _, query = path.partition("?")
        params = dict([query.split("=")]) if query else None
        user = api.request(method, path, json_body=body, params=params)
        assert user.status_code == 403, path
        assert user.json()["detail"] == "Admin access required"
        assert anonymous_api.request(method, path, json_body=body, params=params).status_code == 401


def test_config_lists_the_models_and_default_prompts(admin_api):
    config = admin_api.get(f"{BASE}/execution_analytics/config").json()
    assert set(config) == {
        "available_models",
        "default_system_prompt",
        "default_user_prompt",
        "recommended_model",
    }
    assert config["recommended_model"] == "gpt-4o-mini"
    recommended = [m for m in config["available_models"] if m["value"] == "gpt-4o-mini"]
    assert recommended == [
        {"value": "gpt-4o-mini", "label": "Openai: GPT-4o Mini (Recommended)", "provider": "openai"}
    ]
    assert config["available_models"] == sorted(
        config["available_models"], key=lambda m: (m["provider"], m["label"])
    )
    assert "{{GRAPH_NAME}}" in config["default_user_prompt"]
    assert "{{EXECUTION_DATA}}" in config["default_user_prompt"]


def test_generation_without_a_model_key_is_503(admin_api, graph_runs, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    graph, _runs = graph_runs
    resp = admin_api.post(f"{BASE}/execution_analytics", json_body={"graph_id": graph["id"]})
    assert resp.status_code == 503
    assert resp.json()["detail"] == (
        "No model credential is configured for execution analytics with gpt-4o-mini: "
        "set the platform setting OPENAI_API_KEY"
    )
    unknown = admin_api.post(
        f"{BASE}/execution_analytics", json_body={"graph_id": graph["id"], "model_name": "nope"}
    )
    assert unknown.status_code == 400


def test_generation_summarises_every_users_runs_once(api, admin_api, graph_runs, model):
    graph, runs = graph_runs
    foreign = _foreign_run(graph["id"])
    model.queue(
        _summary("Kept your value.", 0.9), _summary("Kept it again.", 0.8), _summary("Kept theirs.", 0.7)
    )
    resp = admin_api.post(f"{BASE}/execution_analytics", json_body={"graph_id": graph["id"], "batch_size": 1})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert {k: v for k, v in body.items() if k != "results"} == {
        "total_executions": 3,
        "processed_executions": 3,
        "successful_analytics": 3,
        "failed_analytics": 0,
        "skipped_executions": 0,
    }
    by_run = {r["exec_id"]: r for r in body["results"]}
    assert set(by_run) == {runs[0]["id"], runs[1]["id"], foreign["id"]}
    assert {(r["summary_text"], r["score"]) for r in by_run.values()} == {
        ("Kept your value.", 0.9), ("Kept it again.", 0.8), ("Kept theirs.", 0.7),
    }  # fmt: skip
    first = by_run[runs[0]["id"]]
    assert set(first) == {
        "agent_id", "version_id", "user_id", "exec_id", "summary_text", "score", "status",
        "error_message", "created_at", "updated_at", "started_at", "ended_at",
    }  # fmt: skip
    assert (first["agent_id"], first["version_id"], first["user_id"], first["status"]) == (
        graph["id"], 1, USER_ID, "success",
    )  # fmt: skip
    # saved with the run: the owner sees it in the run's stats
    stats = get_run(api, graph["id"], runs[0]["id"])["stats"]
    assert (stats["activity_status"], stats["correctness_score"]) == (first["summary_text"], first["score"])
    # what the model was sent
    request = model.requests[-1]  # newest runs first: this is runs[0]
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == "gpt-4o-mini"
    assert request.body["response_format"] == {"type": "json_object"}
    assert all("Agent: Keeper" in r.body["messages"][1]["content"] for r in model.requests)
    assert "StoreValueBlock" in request.body["messages"][1]["content"]

    again = admin_api.post(f"{BASE}/execution_analytics", json_body={"graph_id": graph["id"]}).json()
    assert (again["processed_executions"], again["skipped_executions"]) == (0, 3)
    assert {r["status"] for r in again["results"]} == {"skipped"}
    assert len(model.requests) == 3


def test_a_bad_model_answer_fails_that_run_only(admin_api, graph_runs, model):
    graph, _runs = graph_runs
    model.queue(openai_text("I cannot do JSON"), _summary("Fine.", 1.0))
    body = admin_api.post(
        f"{BASE}/execution_analytics",
        json_body={"graph_id": graph["id"], "user_id": USER_ID, "batch_size": 1},
    ).json()
    assert (body["successful_analytics"], body["failed_analytics"]) == (1, 1)
    failed = next(r for r in body["results"] if r["status"] == "failed")
    assert failed["error_message"] == "The model did not answer with an activity_status"
    assert failed["summary_text"] is None


def test_user_and_version_filters(admin_api, graph_runs, model):
    graph, _runs = graph_runs
    _foreign_run(graph["id"])
    only_other = admin_api.post(
        f"{BASE}/execution_analytics", json_body={"graph_id": graph["id"], "user_id": OTHER_USER_ID}
    ).json()
    assert [r["user_id"] for r in only_other["results"]] == [OTHER_USER_ID]
    none = admin_api.post(
        f"{BASE}/execution_analytics", json_body={"graph_id": graph["id"], "graph_version": 2}
    ).json()
    assert none["total_executions"] == 0
    missing = admin_api.post(f"{BASE}/execution_analytics", json_body={"graph_id": str(uuid.uuid4())}).json()
    assert missing["results"] == []


def test_accuracy_trends_average_per_day_and_alert_on_a_drop(admin_api, cloud):
    graph_id = str(uuid.uuid4())
    store = ExecutionAnalyticsStore()
    daily = {6: 0.9, 5: 0.9, 4: 0.9, 3: 0.9, 2: 0.5, 1: 0.5, 0: 0.5}
    for days_ago, score in daily.items():
        run = _foreign_run(graph_id, days_ago=days_ago)
        store.save_analysis(run, {"activity_status": "x", "correctness_score": score}, score)
    trends = admin_api.get(
        f"{BASE}/execution_accuracy_trends", params={"graph_id": graph_id, "include_historical": "true"}
    ).json()
    latest = trends["latest_data"]
    assert latest["daily_score"] == pytest.approx(50.0)
    assert latest["three_day_avg"] == pytest.approx(50.0)
    assert latest["seven_day_avg"] == pytest.approx(510 / 7)
    alert = trends["alert"]
    assert alert["drop_percent"] == pytest.approx((510 / 7 - 50) / (510 / 7) * 100)
    assert (alert["graph_id"], alert["user_id"]) == (graph_id, None)
    assert len(trends["historical_data"]) == 7
    assert trends["historical_data"][0] == latest
    assert trends["historical_data"][-1]["daily_score"] == pytest.approx(90.0)

    quiet = admin_api.get(
        f"{BASE}/execution_accuracy_trends", params={"graph_id": graph_id, "drop_threshold": 50}
    ).json()
    assert quiet["alert"] is None and quiet["historical_data"] is None
    mine = admin_api.get(
        f"{BASE}/execution_accuracy_trends", params={"graph_id": graph_id, "user_id": USER_ID}
    ).json()
    assert mine["latest_data"]["daily_score"] is None and mine["alert"] is None
    recent = admin_api.get(
        f"{BASE}/execution_accuracy_trends", params={"graph_id": graph_id, "days_back": 1}
    ).json()
    assert recent["latest_data"]["seven_day_avg"] == pytest.approx(50.0)
