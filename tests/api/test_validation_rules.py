"""Requests that are not what they claim to be get a 4xx, and nothing is written."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from tests.conftest import TEST_JWT_SECRET, USER_ID
from tests.support.api import ApiGatewayClient
from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, STORE_VALUE, input_store_output_graph, link, node
from tests.support.runs import create_graph


def test_duplicate_node_ids_are_400_and_nothing_is_stored(api):
    graph = input_store_output_graph()
    graph["nodes"].append(node("store", STORE_VALUE))  # a second node called "store"

    resp = api.post("/api/graphs", json_body={"graph": graph})

    assert resp.status_code == 400
    assert resp.json()["detail"] == {
        "type": "validation_error",
        "message": "Graph validation failed: 1 issues on 1 nodes",
        "node_errors": {"store": {"id": "Duplicate node id: every node of a graph needs its own id"}},
    }
    assert api.get("/api/graphs").json() == []


def test_duplicate_node_ids_in_an_update_are_400_too(api):
    created = create_graph(api, input_store_output_graph())
    graph = input_store_output_graph()
    graph["nodes"].append(node("in", AGENT_INPUT, name="again"))

    resp = api.put(f"/api/graphs/{created['id']}", json_body=graph)

    assert resp.status_code == 400
    assert [v["version"] for v in api.get(f"/api/graphs/{created['id']}/versions").json()] == [1]


@pytest.mark.parametrize("body", [{}, {"nodes": []}, [], "graph"], ids=["empty", "no-name", "list", "string"])
def test_update_with_a_body_that_is_not_a_graph_is_422_and_adds_no_version(api, body):
    created = create_graph(api, input_store_output_graph())

    resp = api.put(f"/api/graphs/{created['id']}", json_body=body)

    assert resp.status_code == 422
    assert resp.json()["message"] == f"Invalid data for PUT /api/graphs/{created['id']}"
    versions = api.get(f"/api/graphs/{created['id']}/versions").json()
    assert [(v["version"], v["is_active"]) for v in versions] == [(1, True)]


def _two_inputs_graph() -> dict[str, Any]:
    return {
        "name": "needs two",
        "nodes": [
            node("a", AGENT_INPUT, name="topic"),
            node("b", AGENT_INPUT, name="tone"),
            node("c", AGENT_INPUT, name="length", value=3),  # has a default: optional
            node("out", AGENT_OUTPUT, name="result"),
        ],
        "links": [link("a", "result", "out", "value")],
    }


def test_execute_without_required_graph_inputs_is_400_naming_them(api):
    created = create_graph(api, _two_inputs_graph())
    ids = {n["input_default"]["name"]: n["id"] for n in created["nodes"]}
    assert created["input_schema"]["required"] == ["topic", "tone"]

    resp = api.post(f"/api/graphs/{created['id']}/execute/1", json_body={"inputs": {"tone": None}})

    assert resp.status_code == 400
    assert resp.json()["detail"] == {
        "type": "validation_error",
        "message": "Missing required graph inputs: tone, topic",
        "node_errors": {
            ids["topic"]: {"value": "Required graph input 'topic' is missing"},
            ids["tone"]: {"value": "Required graph input 'tone' is missing"},
        },
    }
    assert api.get("/api/executions").json() == []


def test_execute_with_every_required_input_is_accepted(api):
    created = create_graph(api, _two_inputs_graph())
    resp = api.post(
        f"/api/graphs/{created['id']}/execute/1", json_body={"inputs": {"topic": "tides", "tone": "dry"}}
    )
    assert resp.status_code == 200


def _token(**claims: Any) -> str:
    base = {"sub": USER_ID, "role": "authenticated", "aud": "authenticated", "exp": int(time.time()) + 3600}
    return jwt.encode({**base, **claims}, TEST_JWT_SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    ("claims", "detail"),
    [
        ({"exp": str(int(time.time()) + 3600)}, "Invalid token: exp must be a number"),
        ({"nbf": str(int(time.time()) - 60)}, "Invalid token: nbf must be a number"),
        ({"iat": str(int(time.time()))}, "Invalid token: iat must be a number"),
    ],
    ids=["exp-string", "nbf-string", "iat-string"],
)
def test_token_dates_must_be_numbers(cloud, claims, detail):
    resp = ApiGatewayClient(_token(**claims)).get("/api/graphs")
    assert resp.status_code == 401
    assert resp.json() == {"detail": detail}


def test_numeric_token_dates_are_accepted(cloud):
    now = int(time.time())
    assert ApiGatewayClient(_token(nbf=now - 60, iat=float(now))).get("/api/graphs").status_code == 200


def test_every_api_route_documents_its_error_statuses(anonymous_api):
    spec = anonymous_api.get("/openapi.json").json()
    envelope = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            responses = operation["responses"]
            for status in ("400", "404", "413", "422", "500", "503"):
                # JSON even where the route answers text or a redirect
                assert responses[status]["content"] == {"application/json": {"schema": envelope}}, (
                    method,
                    path,
                    status,
                )
            assert {"401", "403"} <= set(responses), (method, path)
    oauth = spec["paths"]["/api/integrations/{provider}/login"]["get"]["responses"]
    assert oauth["501"]["content"]["application/json"]["schema"] == envelope
    assert set(spec["components"]["schemas"]["ErrorEnvelope"]["properties"]) == {"message", "detail", "hint"}
