"""The executions API (spec §1.5): shapes, listing, paging, delete, share, ownership."""

from __future__ import annotations

from typing import Any

from tests.support.graphs import input_store_output_graph
from tests.support.runs import create_graph, execute, wait_for
from tests.support.shapes import GRAPH_EXECUTION_META_KEYS, NODE_EXECUTION_RESULT_KEYS

_META_KEYS = set(GRAPH_EXECUTION_META_KEYS)
_NODE_KEYS = set(NODE_EXECUTION_RESULT_KEYS)


def _finished_run(api: Any, inputs: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    graph = create_graph(api, input_store_output_graph())
    started = execute(api, graph, inputs or {"x": "hello"})
    return graph, wait_for(api, graph["id"], started["id"])


def test_execute_returns_the_queued_run_with_its_starting_nodes(api):
    graph = create_graph(api, input_store_output_graph())
    started = execute(api, graph, {"x": "hello"})

    assert set(started) == _META_KEYS | {"outputs", "node_executions"}
    assert started["status"] == "QUEUED"
    assert started["graph_id"] == graph["id"] and started["graph_version"] == 1
    assert started["inputs"] == {"x": "hello"}
    [starting] = started["node_executions"]
    assert set(starting) == _NODE_KEYS
    assert starting["status"] == "QUEUED"
    assert starting["input_data"] == {"name": "x", "value": "hello"}
    wait_for(api, graph["id"], started["id"])


def test_finished_run_has_outputs_stats_and_ordered_nodes(api):
    _graph, run = _finished_run(api)

    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {"y": ["hello"]}
    assert run["started_at"] and run["ended_at"]
    assert run["stats"]["node_exec_count"] == 3
    assert run["stats"]["node_error_count"] == 0
    queue_times = [n["queue_time"] for n in run["node_executions"]]
    assert queue_times == sorted(queue_times)


def test_execute_unknown_graph_is_404(api):
    response = api.post(
        "/api/graphs/00000000-0000-4000-8000-000000000000/execute/1", json_body={"inputs": {}}
    )
    assert response.status_code == 404


def test_lists_are_newest_first_and_paginated(api):
    graph = create_graph(api, input_store_output_graph())
    ids = []
    for value in ("a", "b", "c"):
        started = execute(api, graph, {"x": value})
        wait_for(api, graph["id"], started["id"])
        ids.append(started["id"])

    everything = api.get("/api/executions").json()
    assert [e["id"] for e in everything] == ids[::-1]
    page = api.get(f"/api/graphs/{graph['id']}/executions", params={"page": 2, "page_size": 2}).json()
    assert page["pagination"] == {"total_items": 3, "total_pages": 2, "current_page": 2, "page_size": 2}
    assert [e["id"] for e in page["executions"]] == [ids[0]]
    assert set(page["executions"][0]) == _META_KEYS
    too_big = api.get(f"/api/graphs/{graph['id']}/executions", params={"page_size": 101})
    assert too_big.status_code == 422


def test_delete_is_a_soft_delete_that_hides_the_run(api):
    graph, run = _finished_run(api)

    response = api.delete(f"/api/executions/{run['id']}")

    assert response.status_code == 204
    assert api.get(f"/api/graphs/{graph['id']}/executions/{run['id']}").status_code == 404
    assert api.get("/api/executions").json() == []
    assert api.delete(f"/api/executions/{run['id']}").status_code == 404


def test_share_publish_and_unshare(api, anonymous_api):
    graph, run = _finished_run(api)
    base = f"/api/graphs/{graph['id']}/executions/{run['id']}/share"

    shared = api.post(base)

    assert shared.status_code == 200
    token = shared.json()["share_token"]
    assert shared.json()["share_url"].endswith(f"/share/{token}")
    public = anonymous_api.get(f"/api/public/shared/{token}")
    assert public.status_code == 200
    body = public.json()
    assert set(body) == {"id", "graph_name", "graph_description", "status", "created_at", "outputs"}
    assert body["id"] == run["id"] and body["graph_name"] == "Echo"
    assert body["status"] == "COMPLETED" and body["outputs"] == {"y": ["hello"]}
    details = api.get(f"/api/graphs/{graph['id']}/executions/{run['id']}").json()
    assert details["is_shared"] is True and details["share_token"] == token

    assert api.delete(base).status_code == 204
    assert anonymous_api.get(f"/api/public/shared/{token}").status_code == 404
    assert anonymous_api.get("/api/public/shared/not-a-uuid").status_code == 422


def test_another_users_run_is_404_on_every_route(api, other_api):
    graph, run = _finished_run(api)
    gid, eid = graph["id"], run["id"]

    assert other_api.get(f"/api/graphs/{gid}/executions/{eid}").status_code == 404
    assert other_api.post(f"/api/graphs/{gid}/executions/{eid}/stop").status_code == 404
    assert other_api.post(f"/api/graphs/{gid}/executions/{eid}/share").status_code == 404
    assert other_api.delete(f"/api/graphs/{gid}/executions/{eid}/share").status_code == 404
    assert other_api.delete(f"/api/executions/{eid}").status_code == 404
    assert other_api.post(f"/api/graphs/{gid}/execute/1", json_body={"inputs": {}}).status_code == 404
    assert other_api.get("/api/executions").json() == []
    assert other_api.get(f"/api/graphs/{gid}/executions").json()["executions"] == []
    # ... and the owner's run is untouched.
    assert api.get(f"/api/graphs/{gid}/executions/{eid}").json()["status"] == "COMPLETED"


def test_a_run_of_a_different_graph_id_is_404(api):
    _, run = _finished_run(api)
    other_graph = create_graph(api, input_store_output_graph("Other"))

    assert api.get(f"/api/graphs/{other_graph['id']}/executions/{run['id']}").status_code == 404
