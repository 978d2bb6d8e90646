"""``/api/library/agents``: shapes, listing, favourites, updates, soft delete, fork, ownership."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import USER_ID
from tests.support.graphs import input_store_output_graph
from tests.support.library import LIBRARY_AGENT_KEYS, agent_of
from tests.support.runs import create_graph

MISSING = "00000000-0000-4000-8000-000000000000"


def _graph(api: Any, name: str, description: str = "Echoes its input") -> dict[str, Any]:
    return create_graph(api, {**input_store_output_graph(name), "description": description})


def _names(page: dict[str, Any]) -> list[str]:
    return [agent["name"] for agent in page["agents"]]


def test_creating_a_graph_adds_its_agent_to_the_library(api):
    graph = _graph(api, "Echo")

    page = api.get("/api/library/agents").json()

    [agent] = page["agents"]
    assert list(agent) == LIBRARY_AGENT_KEYS
    assert page["pagination"] == {"total_items": 1, "total_pages": 1, "current_page": 1, "page_size": 15}
    assert {k: agent[k] for k in agent if k not in ("id", "created_at", "updated_at")} == {
        "graph_id": graph["id"],
        "graph_version": 1,
        "owner_user_id": USER_ID,
        "image_url": None,
        "creator_name": "Unknown",
        "creator_image_url": "",
        "status": "COMPLETED",
        "name": "Echo",
        "description": "Echoes its input",
        "instructions": None,
        "input_schema": graph["input_schema"],
        "output_schema": graph["output_schema"],
        "credentials_input_schema": graph["credentials_input_schema"],
        "has_external_trigger": False,
        "has_human_in_the_loop": False,
        "has_sensitive_action": False,
        "trigger_setup_info": None,
        "new_output": False,
        "can_access_graph": True,
        "is_latest_version": True,
        "is_favorite": False,
        "recommended_schedule_cron": None,
        "settings": {
            "human_in_the_loop_safe_mode": True,
            "sensitive_action_safe_mode": False,
            "fail_on_node_error": False,
        },
        "marketplace_listing": None,
    }
    assert api.get(f"/api/library/agents/{agent['id']}").json() == agent
    assert agent_of(api, graph["id"]) == agent


def test_list_pages_sorts_and_searches(api):
    for name, description in (("Alpha", "first"), ("Beta", "second"), ("Gamma", "third ALPHA mention")):
        _graph(api, name, description)

    newest_first = api.get("/api/library/agents", params={"page_size": 2}).json()
    assert _names(newest_first) == ["Gamma", "Beta"]
    assert newest_first["pagination"] == {
        "total_items": 3,
        "total_pages": 2,
        "current_page": 1,
        "page_size": 2,
    }
    second = api.get("/api/library/agents", params={"page_size": 2, "page": 2}).json()
    assert _names(second) == ["Alpha"]
    assert second["pagination"] == {"total_items": 3, "total_pages": 2, "current_page": 2, "page_size": 2}
    oldest_first = api.get("/api/library/agents", params={"sort_by": "createdAt"}).json()
    assert _names(oldest_first) == ["Alpha", "Beta", "Gamma"]
    found = api.get("/api/library/agents", params={"search_term": "alpha"}).json()
    assert _names(found) == ["Gamma", "Alpha"]  # name or description, any case
    assert found["pagination"]["total_items"] == 2
    past_the_end = api.get("/api/library/agents", params={"page": 9}).json()
    assert past_the_end["agents"] == [] and past_the_end["pagination"]["total_items"] == 3


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"sort_by": "name"}, 422),
        ({"page": 0}, 422),
        ({"page_size": 0}, 422),
        ({"search_term": "x" * 101}, 400),
    ],
)
def test_bad_list_parameters_are_rejected(api, params, status):
    response = api.get("/api/library/agents", params=params)
    assert response.status_code == status
    if status == 400:
        assert response.json()["detail"] == "Search term is too long"


def test_favourites_and_archive(api):
    first, second = agent_of(api, _graph(api, "One")["id"]), agent_of(api, _graph(api, "Two")["id"])

    favourite = api.patch(f"/api/library/agents/{first['id']}", json_body={"is_favorite": True})
    archived = api.patch(f"/api/library/agents/{second['id']}", json_body={"is_archived": True})

    assert favourite.status_code == 200 and favourite.json()["is_favorite"] is True
    assert favourite.json()["updated_at"] > first["updated_at"]
    favourites = api.get("/api/library/agents/favorites").json()
    assert _names(favourites) == ["One"]
    assert favourites["pagination"] == {
        "total_items": 1,
        "total_pages": 1,
        "current_page": 1,
        "page_size": 15,
    }
    assert archived.status_code == 200
    assert _names(api.get("/api/library/agents").json()) == ["One"]  # archived agents are not listed
    assert api.get(f"/api/library/agents/{second['id']}").status_code == 200  # but still readable


def test_update_without_values_is_400(api):
    agent = agent_of(api, _graph(api, "Echo")["id"])
    response = api.patch(f"/api/library/agents/{agent['id']}", json_body={})
    assert response.status_code == 400
    assert response.json()["detail"] == "No values were passed to update"


def test_agent_follows_the_graphs_active_version(api):
    graph = _graph(api, "Echo")
    agent = agent_of(api, graph["id"])

    api.put(f"/api/graphs/{graph['id']}", json_body={**input_store_output_graph("Echo v2")})
    moved = api.get(f"/api/library/agents/{agent['id']}").json()
    assert (moved["graph_version"], moved["name"], moved["is_latest_version"]) == (2, "Echo v2", True)

    inactive = {**input_store_output_graph("Echo v3"), "is_active": False}
    api.put(f"/api/graphs/{graph['id']}", json_body=inactive)
    stayed = api.get(f"/api/library/agents/{agent['id']}").json()
    assert (stayed["graph_version"], stayed["is_latest_version"]) == (2, False)

    api.put(f"/api/graphs/{graph['id']}/versions/active", json_body={"active_graph_version": 3})
    assert api.get(f"/api/library/agents/{agent['id']}").json()["graph_version"] == 3
    assert agent_of(api, graph["id"])["id"] == agent["id"]
    assert api.get(f"/api/library/agents/by-graph/{graph['id']}", params={"version": 1}).status_code == 404


def test_update_pins_a_version_and_stops_following(api):
    graph = _graph(api, "Echo")
    api.put(f"/api/graphs/{graph['id']}", json_body=input_store_output_graph("Echo v2"))
    agent = agent_of(api, graph["id"])

    pinned = api.patch(
        f"/api/library/agents/{agent['id']}", json_body={"graph_version": 1, "auto_update_version": False}
    ).json()
    assert (pinned["graph_version"], pinned["name"], pinned["is_latest_version"]) == (1, "Echo", False)

    api.put(f"/api/graphs/{graph['id']}", json_body=input_store_output_graph("Echo v3"))
    assert api.get(f"/api/library/agents/{agent['id']}").json()["graph_version"] == 1
    missing = api.patch(f"/api/library/agents/{agent['id']}", json_body={"graph_version": 9})
    assert missing.status_code == 404


def test_settings_are_the_graphs_settings(api):
    graph = _graph(api, "Echo")
    agent = agent_of(api, graph["id"])
    strict = {
        "human_in_the_loop_safe_mode": False,
        "sensitive_action_safe_mode": True,
        "fail_on_node_error": True,
    }

    updated = api.patch(f"/api/library/agents/{agent['id']}", json_body={"settings": strict}).json()
    assert updated["settings"] == strict
    # The graph's settings (what runs read) changed too; and the other way round.
    relaxed = {**strict, "fail_on_node_error": False}
    assert api.patch(f"/api/graphs/{graph['id']}/settings", json_body=relaxed).json() == relaxed
    assert api.get(f"/api/library/agents/{agent['id']}").json()["settings"] == relaxed


def test_delete_is_a_soft_delete(api):
    graph = _graph(api, "Echo")
    agent = agent_of(api, graph["id"])

    response = api.delete(f"/api/library/agents/{agent['id']}")

    assert response.status_code == 204 and response.content == b""
    assert api.get(f"/api/library/agents/{agent['id']}").status_code == 404
    assert api.get("/api/library/agents").json()["agents"] == []
    assert api.get(f"/api/library/agents/by-graph/{graph['id']}").status_code == 404
    assert api.get(f"/api/graphs/{graph['id']}").status_code == 200  # the graph stays
    assert api.delete(f"/api/library/agents/{agent['id']}").status_code == 404


def test_deleting_the_graph_removes_its_agent(api):
    graph = _graph(api, "Echo")
    agent = agent_of(api, graph["id"])

    assert api.delete(f"/api/graphs/{graph['id']}").status_code == 200

    assert api.get(f"/api/library/agents/{agent['id']}").status_code == 404
    assert api.get("/api/library/agents").json()["pagination"]["total_items"] == 0


def test_fork_copies_the_graph_into_a_new_agent(api):
    graph = _graph(api, "Echo")
    agent = agent_of(api, graph["id"])
    settings = {**agent["settings"], "human_in_the_loop_safe_mode": False}
    api.patch(f"/api/library/agents/{agent['id']}", json_body={"settings": settings})

    response = api.post(f"/api/library/agents/{agent['id']}/fork")

    assert response.status_code == 200
    fork = response.json()
    assert list(fork) == LIBRARY_AGENT_KEYS
    assert fork["id"] != agent["id"] and fork["graph_id"] != graph["id"]
    assert (fork["name"], fork["graph_version"], fork["can_access_graph"]) == ("Echo (copy)", 1, True)
    assert fork["settings"] == settings
    copied = api.get(f"/api/graphs/{fork['graph_id']}").json()
    assert (copied["forked_from_id"], copied["forked_from_version"]) == (graph["id"], 1)
    assert {n["id"] for n in copied["nodes"]}.isdisjoint({n["id"] for n in graph["nodes"]})
    assert [n["block_id"] for n in copied["nodes"]] == [n["block_id"] for n in graph["nodes"]]
    assert sorted(_names(api.get("/api/library/agents").json())) == ["Echo", "Echo (copy)"]


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("patch", "", {"is_favorite": True}),
        ("delete", "", None),
        ("post", "/fork", None),
    ],
)
def test_another_users_agent_is_404(api, other_api, method, suffix, body):
    agent = agent_of(api, _graph(api, "Mine")["id"])
    kwargs = {"json_body": body} if body is not None else {}

    response = getattr(other_api, method)(f"/api/library/agents/{agent['id']}{suffix}", **kwargs)

    assert response.status_code == 404
    assert response.json()["detail"] == f"Library agent #{agent['id']} not found"
    assert api.get(f"/api/library/agents/{agent['id']}").json()["is_favorite"] is False


def test_by_graph_of_another_user_or_unknown_graph_is_404(api, other_api):
    graph = _graph(api, "Mine")
    from tests.conftest import OTHER_USER_ID

    response = other_api.get(f"/api/library/agents/by-graph/{graph['id']}")
    assert response.status_code == 404
    assert response.json()["detail"] == (
        f"Library agent for graph #{graph['id']} and user #{OTHER_USER_ID} not found"
    )
    assert other_api.get("/api/library/agents").json()["agents"] == []
    assert api.get(f"/api/library/agents/by-graph/{MISSING}").status_code == 404


def test_unknown_marketplace_listing_is_404(api):
    assert api.get(f"/api/library/agents/marketplace/{MISSING}").status_code == 404
    response = api.post("/api/library/agents", json_body={"store_listing_version_id": MISSING})
    assert response.status_code == 404
    assert response.json()["detail"] == f"Store listing version {MISSING} not found or invalid"


def test_openapi_lists_every_library_route_with_its_response_model(anonymous_api):
    paths = anonymous_api.get("/openapi.json").json()["paths"]
    expected = {
        ("get", "/api/library/presets"): "LibraryAgentPresetResponse",
        ("get", "/api/library/presets/{preset_id}"): "LibraryAgentPreset",
        ("post", "/api/library/presets"): "LibraryAgentPreset",
        ("post", "/api/library/presets/setup-trigger"): "LibraryAgentPreset",
        ("patch", "/api/library/presets/{preset_id}"): "LibraryAgentPreset",
        ("delete", "/api/library/presets/{preset_id}"): None,
        ("post", "/api/library/presets/{preset_id}/execute"): "GraphExecutionMeta",
        ("get", "/api/library/agents"): "LibraryAgentResponse",
        ("get", "/api/library/agents/favorites"): "LibraryAgentResponse",
        ("get", "/api/library/agents/{library_agent_id}"): "LibraryAgent",
        ("get", "/api/library/agents/by-graph/{graph_id}"): "LibraryAgent",
        ("get", "/api/library/agents/marketplace/{store_listing_version_id}"): "LibraryAgent",
        ("post", "/api/library/agents"): "LibraryAgent",
        ("patch", "/api/library/agents/{library_agent_id}"): "LibraryAgent",
        ("delete", "/api/library/agents/{library_agent_id}"): None,
        ("post", "/api/library/agents/{library_agent_id}/fork"): "LibraryAgent",
    }
    listed = {(m, p) for p, ops in paths.items() if p.startswith("/api/library") for m in ops}
    assert listed == set(expected)
    for (method, path), model in expected.items():
        responses = paths[path][method]["responses"]
        if model is None:
            assert "204" in responses and "404" in responses
            continue
        [success] = [code for code in responses if code.startswith("2")]
        assert model in str(responses[success]["content"]["application/json"]["schema"]), (method, path)
