"""Input that could be stored but never served back is refused at the API boundary.

A lone UTF-16 surrogate (``"x\\ud800y"`` is valid JSON) or a NaN once made a request
answer 400 *after* writing it, and from then on every list route that included it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import USER_ID
from tests.support.credentials import kms_key
from tests.support.graphs import input_store_output_graph
from tests.support.runs import create_graph, wait_for

__all__ = ["kms_key"]

LONE = "x\ud800y"  # json.dumps writes it as the escape "x\\ud800y"


def _post_json(api: Any, path: str, document: Any) -> Any:
    return api.post(path, body=json.dumps(document), headers={"content-type": "application/json"})


def _assert_refused(resp: Any, method: str, path: str) -> None:
    assert resp.status_code == 400, resp.content
    body = resp.json()
    assert body["message"] == f"Failed to process {method} {path}"
    assert "cannot be encoded as UTF-8" in body["detail"]
    assert body["hint"] == "Adjust the request and retry."
    assert resp.headers["x-content-type-options"] == "nosniff"


def test_a_lone_surrogate_in_a_graph_name_is_refused_and_nothing_is_stored(api):
    resp = _post_json(api, "/api/graphs", {"graph": {**input_store_output_graph(), "name": LONE}})

    _assert_refused(resp, "POST", "/api/graphs")
    assert "(body.graph.name)" in resp.json()["detail"]
    listed = api.get("/api/graphs")
    assert listed.status_code == 200 and listed.json() == []


def test_a_lone_surrogate_deep_in_a_node_or_in_a_key_is_refused(api):
    graph = input_store_output_graph()
    graph["nodes"][1]["input_default"] = {"input": [{"ok": "fine"}, {"deep": ["a", LONE]}]}
    resp = _post_json(api, "/api/graphs", {"graph": graph})
    _assert_refused(resp, "POST", "/api/graphs")
    assert "(body.graph.nodes[1].input_default.input[1].deep[1])" in resp.json()["detail"]

    keyed = input_store_output_graph()
    keyed["nodes"][1]["input_default"] = {LONE: 1}
    _assert_refused(_post_json(api, "/api/graphs", {"graph": keyed}), "POST", "/api/graphs")


def test_a_lone_surrogate_in_an_execute_input_is_refused_and_no_run_is_created(api):
    created = create_graph(api, input_store_output_graph())
    path = f"/api/graphs/{created['id']}/execute/1"

    _assert_refused(_post_json(api, path, {"inputs": {"x": LONE}}), "POST", path)
    listed = api.get("/api/executions")
    assert listed.status_code == 200 and listed.json() == []


@pytest.mark.usefixtures("kms_key")
def test_a_lone_surrogate_in_a_credential_title_is_refused(api):
    path = "/api/integrations/openai/credentials"
    resp = _post_json(api, path, {"type": "api_key", "api_key": "sk-1", "title": LONE})

    _assert_refused(resp, "POST", path)
    listed = api.get("/api/integrations/credentials")
    assert listed.status_code == 200 and listed.json() == []


def test_a_surrogate_pair_is_ordinary_text(api):
    graph = {**input_store_output_graph(), "name": "rocket \U0001f680"}
    body = json.dumps({"graph": graph})
    assert "\\ud83d\\ude80" in body  # escaped as a pair, which is valid

    resp = api.post("/api/graphs", body=body, headers={"content-type": "application/json"})
    assert resp.status_code == 200
    assert [g["name"] for g in api.get("/api/graphs").json()] == ["rocket \U0001f680"]


def test_invalid_utf8_bytes_in_a_body_are_refused(api):
    resp = api.post(
        "/api/graphs",
        body=b'{"graph": {"name": "\xed\xa0\x80"}}',
        headers={"content-type": "application/json"},
    )
    _assert_refused(resp, "POST", "/api/graphs")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(api, token):
    graph = json.dumps({"graph": input_store_output_graph()})
    body = graph.replace('"input_default": {}', f'"input_default": {{"input": {token}}}', 1)
    assert token in body

    resp = api.post("/api/graphs", body=body, headers={"content-type": "application/json"})

    assert resp.status_code == 400
    assert resp.json()["detail"] == "NaN and Infinity are not valid JSON numbers"
    assert api.get("/api/graphs").json() == []


def test_words_that_look_like_the_tokens_are_fine(api):
    graph = {**input_store_output_graph(), "description": "To Infinity, and NaN-free beyond"}
    assert create_graph(api, graph)["description"] == "To Infinity, and NaN-free beyond"


def test_a_lone_surrogate_in_a_path_parameter_is_refused(api):
    path = f"/api/graphs/{LONE}"
    resp = api.get(path)
    assert resp.status_code == 400
    assert resp.json()["detail"] == "The request's path cannot be encoded as UTF-8 " + (
        "(it contains a lone UTF-16 surrogate or invalid bytes)"
    )
    assert resp.json()["message"] == "Failed to process GET /api/graphs/x\ufffdy"


def test_a_lone_surrogate_in_a_query_parameter_is_refused(api):
    resp = api.get("/api/graphs/some-graph", query=f"version={LONE}")
    assert resp.status_code == 400
    assert "queryStringParameters" in resp.json()["detail"]


# ------------------------------------------------------- what was stored before the fix


def test_a_poison_graph_stored_earlier_no_longer_breaks_the_list(api):
    from agentplatform.graphs.service import to_graph_model
    from agentplatform.models.graph import Graph
    from agentplatform.store.graphs import GraphRepository

    graph = to_graph_model(Graph.model_validate({**input_store_output_graph(), "name": LONE}), USER_ID)
    GraphRepository().create(graph)

    listed = api.get("/api/graphs")
    assert listed.status_code == 200
    assert [g["name"] for g in listed.json()] == ["x\ufffdy"]
    assert api.get(f"/api/graphs/{graph.id}").json()["name"] == "x\ufffdy"


@pytest.mark.usefixtures("kms_key")
def test_a_poison_credential_stored_earlier_no_longer_breaks_the_list(api):
    from agentplatform.integrations.service import CredentialsService

    CredentialsService().create(USER_ID, "openai", {"type": "api_key", "api_key": "sk-1", "title": LONE})

    listed = api.get("/api/integrations/credentials")
    assert listed.status_code == 200
    assert [c["title"] for c in listed.json()] == ["x\ufffdy"]


def test_a_run_whose_values_hold_a_lone_surrogate_can_be_listed_and_read(api):
    from agentplatform.executions.service import ExecutionService

    created = create_graph(api, input_store_output_graph())
    run = ExecutionService().execute(USER_ID, created["id"], 1, {"x": LONE})  # as the API once let through
    finished = wait_for(api, created["id"], run.id)

    assert finished["status"] == "COMPLETED"
    assert finished["inputs"] == {"x": "x\ufffdy"}
    assert finished["outputs"] == {"y": ["x\ufffdy"]}
    listed = api.get("/api/executions")
    assert listed.status_code == 200 and [r["id"] for r in listed.json()] == [run.id]
    assert api.get(f"/api/graphs/{created['id']}/executions").status_code == 200


def test_a_nan_stored_earlier_no_longer_breaks_the_list(api):
    from agentplatform.graphs.service import to_graph_model
    from agentplatform.models.graph import Graph
    from agentplatform.store.graphs import GraphRepository

    graph = input_store_output_graph()
    graph["nodes"][1]["input_default"] = {"input": float("nan")}
    GraphRepository().create(to_graph_model(Graph.model_validate(graph), USER_ID))

    listed = api.get("/api/graphs")
    assert listed.status_code == 200
    [stored] = listed.json()
    assert api.get(f"/api/graphs/{stored['id']}").json()["nodes"][1]["input_default"] == {"input": None}
