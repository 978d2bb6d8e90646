"""``/external-api/v1/store/*`` and ``/tools/*``: the marketplace for API keys (spec rows
148-151, 159-160): scopes, shapes, find-agent and run-agent."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.external import create_api_key, key_client
from tests.support.graphs import input_store_output_graph
from tests.support.marketplace import STORE_AGENT_DETAILS_KEYS, decide, make_profile, submit
from tests.support.runs import create_graph, wait_for


@pytest.fixture
def listed(api, admin_api) -> dict[str, Any]:
    make_profile(api, "alice")
    graph = create_graph(api, input_store_output_graph("Echo Agent"))
    submission = submit(api, graph, "echo", description="Echoes what you say")
    decide(admin_api, submission["store_listing_version_id"])
    return {"graph": graph, **submission}


@pytest.fixture
def store_key(other_api) -> Any:
    return key_client(create_api_key(other_api, ["READ_STORE", "USE_TOOLS"])[0])


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/external-api/v1/store/agents", "READ_STORE"),
        ("GET", "/external-api/v1/store/agents/alice/echo", "READ_STORE"),
        ("GET", "/external-api/v1/store/creators", "READ_STORE"),
        ("GET", "/external-api/v1/store/creators/alice", "READ_STORE"),
        ("POST", "/external-api/v1/tools/find-agent", "USE_TOOLS"),
        ("POST", "/external-api/v1/tools/run-agent", "USE_TOOLS"),
    ],
)
def test_routes_need_their_scope(other_api, anonymous_api, method, path, scope):
    key = key_client(create_api_key(other_api, ["IDENTITY"])[0])
    response = key.request(method, path, json_body={} if method == "POST" else None)
    assert (response.status_code, response.json()) == (
        403,
        {"detail": f"Missing required permission: {scope}"},
    )
    assert anonymous_api.request(method, path).status_code == 401


def test_store_reads_mirror_the_internal_routes(listed, store_key, anonymous_api):
    agents = store_key.get("/external-api/v1/store/agents", params={"search_query": "echoes"})
    assert agents.json() == anonymous_api.get("/api/store/agents", params={"search_query": "echoes"}).json()
    assert [a["slug"] for a in agents.json()["agents"]] == ["echo"]

    details = store_key.get("/external-api/v1/store/agents/alice/echo").json()
    assert list(details) == STORE_AGENT_DETAILS_KEYS
    assert store_key.get("/external-api/v1/store/agents/alice/nope").status_code == 404

    creators = store_key.get("/external-api/v1/store/creators").json()
    assert [c["username"] for c in creators["creators"]] == ["alice"]
    creator = store_key.get("/external-api/v1/store/creators/alice").json()
    assert creator == anonymous_api.get("/api/store/creator/alice").json()
    assert store_key.get("/external-api/v1/store/agents", params={"page": 0}).status_code == 422


def test_find_agent(listed, store_key):
    found = store_key.post("/external-api/v1/tools/find-agent", json_body={"query": "echo"}).json()
    assert found["type"] == "agents_found"
    assert (found["title"], found["count"], found["name"]) == ("Available Agents", 1, "agents_found")
    assert found["message"] == "Found 1 agents matching 'echo'"
    [agent] = found["agents"]
    assert (agent["id"], agent["name"], agent["source"], agent["creator"]) == (
        "alice/echo",
        "Echo Agent",
        "marketplace",
        "alice",
    )

    none = store_key.post("/external-api/v1/tools/find-agent", json_body={"query": "zebra"}).json()
    assert (none["type"], none["name"], none["message"]) == (
        "no_results",
        "no_results",
        "No agents found matching 'zebra'",
    )


def test_run_agent_asks_for_inputs_then_runs_the_listed_version(listed, store_key, other_api):
    setup = store_key.post(
        "/external-api/v1/tools/run-agent", json_body={"username_agent_slug": "alice/echo"}
    ).json()
    assert setup["type"] == "setup_requirements"
    assert setup["setup_info"]["requirements"]["inputs"][0]["name"] == "x"
    assert (setup["graph_id"], setup["graph_version"]) == (listed["graph"]["id"], 1)

    unknown = store_key.post(
        "/external-api/v1/tools/run-agent",
        json_body={"username_agent_slug": "alice/echo", "inputs": {"z": 1}},
    ).json()
    assert (unknown["type"], unknown["unrecognized_fields"]) == ("input_validation_error", ["z"])

    started = store_key.post(
        "/external-api/v1/tools/run-agent",
        json_body={"username_agent_slug": "alice/echo", "inputs": {"x": "hi"}},
    ).json()
    assert (started["type"], started["status"], started["graph_name"]) == (
        "execution_started",
        "QUEUED",
        "Echo Agent",
    )
    assert started["library_agent_link"].endswith(f"/library/agents/{started['library_agent_id']}")
    run = wait_for(other_api, listed["graph"]["id"], started["execution_id"])
    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {"y": ["hi"]}


def test_run_agent_errors(listed, store_key):
    missing = store_key.post(
        "/external-api/v1/tools/run-agent", json_body={"username_agent_slug": "alice/nothing"}
    ).json()
    assert (missing["type"], missing["error"]) == ("error", "agent_not_found")
    for partial in ({"schedule_name": "daily"}, {"cron": "0 9 * * *"}):
        body = {"username_agent_slug": "alice/echo", "inputs": {"x": "hi"}, **partial}
        refused = store_key.post("/external-api/v1/tools/run-agent", json_body=body).json()
        assert (refused["type"], refused["error"]) == ("error", "invalid_schedule")
    bad_cron = store_key.post(
        "/external-api/v1/tools/run-agent",
        json_body={
            "username_agent_slug": "alice/echo",
            "inputs": {"x": "hi"},
            "schedule_name": "d",
            "cron": "daily",
        },
    ).json()
    assert (bad_cron["type"], bad_cron["error"]) == ("error", "invalid_schedule")
    assert bad_cron["message"].startswith("Invalid cron expression 'daily'")


def test_run_agent_schedules_the_listed_version_for_the_caller(listed, store_key, other_api, api):
    request = {
        "username_agent_slug": "alice/echo",
        "inputs": {"x": "hi"},
        "schedule_name": "mornings",
        "cron": "0 9 * * 1-5",
        "timezone": "Europe/Berlin",
    }
    scheduled = store_key.post("/external-api/v1/tools/run-agent", json_body=request).json()
    assert (scheduled["type"], scheduled["graph_id"], scheduled["graph_name"]) == (
        "execution_started",
        listed["graph"]["id"],
        "Echo Agent",
    )
    assert scheduled["message"].startswith("Agent 'Echo Agent' scheduled as 'mornings'; next run ")
    [schedule] = other_api.get("/api/schedules").json()
    assert schedule["id"] == scheduled["execution_id"]
    assert (schedule["graph_id"], schedule["graph_version"], schedule["name"]) == (
        listed["graph"]["id"],
        1,
        "mornings",
    )
    assert (schedule["cron"], schedule["timezone"], schedule["input_data"]) == (
        "0 9 * * 1-5",
        "Europe/Berlin",
        {"x": "hi"},
    )
    assert scheduled["library_agent_link"].endswith(f"/library/agents/{scheduled['library_agent_id']}")
    assert api.get("/api/schedules").json() == []  # the creator's own schedules are untouched
