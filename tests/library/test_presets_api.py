"""``/api/library/presets``: CRUD shapes, pagination, ownership, and running presets
(upstream ``test_execute_preset`` and ``test_execute_preset_with_clash`` vectors)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import USER_ID
from tests.support.graphs import AGENT_INPUT, STORE_VALUE, input_store_output_graph, link, node
from tests.support.library import LIBRARY_AGENT_PRESET_KEYS
from tests.support.runs import FIND_IN_DICTIONARY, create_graph, execute, node_ids, wait_for
from tests.support.shapes import GRAPH_EXECUTION_META_KEYS

MISSING = "00000000-0000-4000-8000-000000000000"
CREDENTIALS = {"openai_api_key_credentials": {"id": MISSING, "provider": "openai", "type": "api_key"}}


def _dictionary_graph(api: Any) -> dict[str, Any]:
    """Upstream's preset test graph: look a selected key up in a dictionary input."""
    return create_graph(
        api,
        {
            "name": "TestGraph",
            "description": "Test graph",
            "nodes": [
                node("0", AGENT_INPUT, name="dictionary"),
                node("1", AGENT_INPUT, name="selected_value"),
                node("2", STORE_VALUE, input={"key1": "Hi", "key2": "Everyone"}),
                node("3", FIND_IN_DICTIONARY, key="", input={}),
            ],
            "links": [
                link("0", "result", "2", "input"),
                link("1", "result", "3", "key"),
                link("2", "output", "3", "input"),
            ],
        },
    )


def _preset(api: Any, graph: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Test Preset With Clash",
        "description": "Test preset with clashing input values",
        "graph_id": graph["id"],
        "graph_version": graph["version"],
        "inputs": {"dictionary": {"key1": "Hello", "key2": "World"}, "selected_value": "key2"},
        "credentials": {},
        "is_active": True,
        **overrides,
    }
    response = api.post("/api/library/presets", json_body=body)
    assert response.status_code == 200, response.content
    return response.json()


def _found(api: Any, graph: dict[str, Any], run: dict[str, Any]) -> list[Any]:
    finished = wait_for(api, graph["id"], run["id"])
    assert finished["status"] == "COMPLETED"
    assert len(finished["node_executions"]) == 4
    [lookup] = [n for n in finished["node_executions"] if n["node_id"] == node_ids(graph)["3"]]
    assert lookup["status"] == "COMPLETED"
    return lookup["output_data"]["output"]


def test_create_and_get_have_the_preset_shape(api):
    graph = _dictionary_graph(api)

    preset = _preset(api, graph, credentials=CREDENTIALS, is_active=False)

    assert list(preset) == LIBRARY_AGENT_PRESET_KEYS
    assert {k: v for k, v in preset.items() if k not in ("id", "created_at", "updated_at")} == {
        "graph_id": graph["id"],
        "graph_version": 1,
        "inputs": {"dictionary": {"key1": "Hello", "key2": "World"}, "selected_value": "key2"},
        "credentials": {
            "openai_api_key_credentials": {**CREDENTIALS["openai_api_key_credentials"], "title": None}
        },
        "name": "Test Preset With Clash",
        "description": "Test preset with clashing input values",
        "is_active": False,
        "user_id": USER_ID,
        "webhook_id": None,
        "webhook": None,
    }
    assert preset["created_at"] == preset["updated_at"]
    assert api.get(f"/api/library/presets/{preset['id']}").json() == preset


def test_execute_preset(api):
    """Upstream ``test_execute_preset``: the preset's inputs run the graph."""
    graph = _dictionary_graph(api)
    preset = _preset(api, graph)

    response = api.post(f"/api/library/presets/{preset['id']}/execute", json_body={})

    assert response.status_code == 200
    run = response.json()
    assert list(run) == GRAPH_EXECUTION_META_KEYS
    assert (run["status"], run["preset_id"]) == ("QUEUED", preset["id"])
    assert _found(api, graph, run) == ["World"]


def test_execute_preset_with_clash(api):
    """Upstream ``test_execute_preset_with_clash``: the request's inputs win."""
    graph = _dictionary_graph(api)
    preset = _preset(api, graph)

    response = api.post(
        f"/api/library/presets/{preset['id']}/execute", json_body={"inputs": {"selected_value": "key1"}}
    )

    run = response.json()
    assert run["inputs"] == {"dictionary": {"key1": "Hello", "key2": "World"}, "selected_value": "key1"}
    assert _found(api, graph, run) == ["Hello"]


def test_graph_execute_with_preset_id_merges_and_records_the_preset(api):
    graph = _dictionary_graph(api)
    preset = _preset(api, graph)

    response = api.post(
        f"/api/graphs/{graph['id']}/execute/1",
        params={"preset_id": preset["id"]},
        json_body={"inputs": {"selected_value": "key1"}},
    )

    assert response.status_code == 200
    run = response.json()
    assert run["preset_id"] == preset["id"]
    assert _found(api, graph, run) == ["Hello"]
    other = create_graph(api, input_store_output_graph())
    mismatch = api.post(
        f"/api/graphs/{other['id']}/execute/1", params={"preset_id": preset["id"]}, json_body={}
    )
    assert mismatch.status_code == 400
    assert mismatch.json()["detail"] == f"Preset #{preset['id']} is not a preset of graph #{other['id']}"
    unknown = api.post(f"/api/graphs/{graph['id']}/execute/1", params={"preset_id": MISSING}, json_body={})
    assert unknown.status_code == 404


def test_list_pages_and_filters_by_graph(api):
    first, second = _dictionary_graph(api), create_graph(api, input_store_output_graph())
    ids = [_preset(api, first, name=f"p{i}")["id"] for i in range(3)]
    _preset(api, second, name="other", inputs={"x": 1})

    page = api.get("/api/library/presets", params={"graph_id": first["id"], "page_size": 2, "page": 2}).json()

    assert [p["id"] for p in page["presets"]] == ids[2:]
    assert page["pagination"] == {"total_items": 3, "total_pages": 2, "current_page": 2, "page_size": 2}
    everything = api.get("/api/library/presets").json()
    assert [p["name"] for p in everything["presets"]] == ["p0", "p1", "p2", "other"]
    assert everything["pagination"]["page_size"] == 10
    assert api.get("/api/library/presets", params={"page_size": 0}).status_code == 422


def test_update_changes_given_fields_only(api):
    graph = _dictionary_graph(api)
    preset = _preset(api, graph)

    renamed = api.patch(
        f"/api/library/presets/{preset['id']}", json_body={"name": "Renamed", "is_active": False}
    )
    assert renamed.status_code == 200
    assert {k: v for k, v in renamed.json().items() if k not in ("name", "is_active", "updated_at")} == {
        k: v for k, v in preset.items() if k not in ("name", "is_active", "updated_at")
    }
    assert (renamed.json()["name"], renamed.json()["is_active"]) == ("Renamed", False)
    new_inputs = {"inputs": {"selected_value": "key1"}, "credentials": CREDENTIALS}
    replaced = api.patch(f"/api/library/presets/{preset['id']}", json_body=new_inputs).json()
    assert replaced["inputs"] == {"selected_value": "key1"}
    assert set(replaced["credentials"]) == {"openai_api_key_credentials"}
    half = api.patch(f"/api/library/presets/{preset['id']}", json_body={"inputs": {"a": 1}})
    assert half.status_code == 400
    assert half.json()["detail"] == "Preset inputs and credentials must be provided together"


def test_delete_is_204_and_hides_the_preset(api):
    preset = _preset(api, _dictionary_graph(api))

    response = api.delete(f"/api/library/presets/{preset['id']}")

    assert response.status_code == 204 and response.content == b""
    assert api.get(f"/api/library/presets/{preset['id']}").status_code == 404
    assert api.get("/api/library/presets").json()["presets"] == []
    assert api.post(f"/api/library/presets/{preset['id']}/execute", json_body={}).status_code == 404
    assert api.delete(f"/api/library/presets/{preset['id']}").status_code == 404


def test_create_from_a_run_copies_its_inputs(api):
    graph = _dictionary_graph(api)
    started = execute(api, graph, {"dictionary": {"key1": "a"}, "selected_value": "key1"})
    wait_for(api, graph["id"], started["id"])

    response = api.post(
        "/api/library/presets",
        json_body={"graph_execution_id": started["id"], "name": "From run", "description": "d"},
    )

    assert response.status_code == 200
    preset = response.json()
    assert (preset["graph_id"], preset["graph_version"], preset["credentials"]) == (graph["id"], 1, {})
    assert preset["inputs"] == {"dictionary": {"key1": "a"}, "selected_value": "key1"}
    unknown = api.post(
        "/api/library/presets", json_body={"graph_execution_id": MISSING, "name": "n", "description": "d"}
    )
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == f"Graph execution #{MISSING} not found"


def test_preset_of_an_unknown_or_foreign_graph_is_404(api, other_api):
    graph = _dictionary_graph(api)
    assert _preset_response(other_api, graph).status_code == 404
    assert _preset_response(api, {"id": MISSING, "version": 1}).status_code == 404
    assert _preset_response(api, {**graph, "version": 7}).status_code == 404


def _preset_response(api: Any, graph: dict[str, Any]) -> Any:
    body = {"name": "n", "description": "d", "graph_id": graph["id"], "graph_version": graph["version"]}
    return api.post("/api/library/presets", json_body={**body, "inputs": {}, "credentials": {}})


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("patch", "", {"name": "mine now"}),
        ("delete", "", None),
        ("post", "/execute", {}),
    ],
)
def test_another_users_preset_is_404(api, other_api, method, suffix, body):
    preset = _preset(api, _dictionary_graph(api))
    kwargs = {"json_body": body} if body is not None else {}

    response = getattr(other_api, method)(f"/api/library/presets/{preset['id']}{suffix}", **kwargs)

    assert response.status_code == 404
    assert response.json()["detail"] == f"Preset #{preset['id']} not found"
    assert other_api.get("/api/library/presets").json()["presets"] == []
    assert api.get(f"/api/library/presets/{preset['id']}").json() == preset


def test_setup_trigger_needs_a_trigger_node(api):
    graph = _dictionary_graph(api)
    body = {"name": "t", "graph_id": graph["id"], "graph_version": 1, "trigger_config": {}}

    response = api.post("/api/library/presets/setup-trigger", json_body=body)

    assert response.status_code == 400
    assert response.json()["detail"] == f"Graph #{graph['id']} does not have a webhook trigger node"
    unknown = api.post("/api/library/presets/setup-trigger", json_body={**body, "graph_id": MISSING})
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == f"Graph #{MISSING} is not accessible (anymore)"
