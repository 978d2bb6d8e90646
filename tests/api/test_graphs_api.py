"""Graph routes, through API Gateway proxy events into the graphs Lambda."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import USER_ID
from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, STORE_VALUE, input_store_output_graph, link, node


def _create(api, graph=None):
    resp = api.post("/api/graphs", json_body={"graph": graph or input_store_output_graph()})
    assert resp.status_code == 200, resp.content
    return resp.json()


def _nodes_by_block(graph):
    return {n["block_id"]: n for n in graph["nodes"]}


def test_create_remints_ids_and_computes_schemas(api):
    graph = _create(api)
    assert uuid.UUID(graph["id"]).version == 4
    assert graph["version"] == 1 and graph["is_active"] is True
    assert graph["user_id"] == USER_ID
    submitted_ids = {"in", "store", "out"}
    assert not submitted_ids & {n["id"] for n in graph["nodes"]}
    node_ids = {n["id"] for n in graph["nodes"]}
    assert all(lk["source_id"] in node_ids and lk["sink_id"] in node_ids for lk in graph["links"])
    assert graph["input_schema"] == {
        "type": "object",
        "properties": {"x": {"secret": False, "advanced": False, "title": "x"}},
        "required": ["x"],
    }
    assert graph["output_schema"] == {
        "type": "object",
        "properties": {"y": {"secret": False, "advanced": False, "title": "y"}},
        "required": ["y"],
    }
    assert graph["credentials_input_schema"] == {
        "type": "object",
        "title": "EchoCredentialsInputSchema",
        "properties": {},
        "required": [],
    }
    assert set(graph) >= {
        "created_at", "description", "forked_from_id", "forked_from_version", "has_external_trigger",
        "has_human_in_the_loop", "has_sensitive_action", "instructions", "links", "name", "nodes",
        "recommended_schedule_cron", "sub_graphs", "trigger_setup_info",
    }  # fmt: skip


def test_links_from_static_output_blocks_are_forced_static(api):
    graph = _create(api)
    assert [lk["is_static"] for lk in graph["links"]] == [True, True]


def test_input_schema_matches_upstream_snapshot(api):
    graph = {
        "name": "Schema",
        "nodes": [
            node("a", AGENT_INPUT, name="in_key_a", title="Key A", value="A", advanced=True),
            node("b", AGENT_INPUT, name="in_key_b", advanced=True),
            node("o", AGENT_OUTPUT, name="out_key", description="This is an output key"),
        ],
        "links": [],
    }
    created = _create(api, graph)
    assert created["input_schema"] == {
        "type": "object",
        "properties": {
            "in_key_a": {"advanced": True, "default": "A", "secret": False, "title": "Key A"},
            "in_key_b": {"advanced": False, "secret": False, "title": "in_key_b"},
        },
        "required": ["in_key_b"],
    }
    assert created["output_schema"]["properties"] == {
        "out_key": {
            "advanced": False,
            "description": "This is an output key",
            "secret": False,
            "title": "out_key",
        }
    }


def test_full_lifecycle_create_update_activate_export_delete(api):
    graph = _create(api)
    gid = graph["id"]

    assert api.get(f"/api/graphs/{gid}").json()["version"] == 1

    updated_body = input_store_output_graph("Echo v2")
    updated_body["nodes"][1]["input_default"] = {"data": "constant", "api_key": "sk-secret"}
    v2 = api.put(f"/api/graphs/{gid}", json_body=updated_body)
    assert v2.status_code == 200, v2.content
    assert (v2.json()["id"], v2.json()["version"], v2.json()["name"]) == (gid, 2, "Echo v2")
    assert {n["id"] for n in v2.json()["nodes"]}.isdisjoint({n["id"] for n in graph["nodes"]})

    versions = api.get(f"/api/graphs/{gid}/versions").json()
    assert [(v["version"], v["is_active"]) for v in versions] == [(1, False), (2, True)]

    assert (
        api.put(f"/api/graphs/{gid}/versions/active", json_body={"active_graph_version": 1}).status_code
        == 200
    )
    assert api.get(f"/api/graphs/{gid}").json()["version"] == 1
    assert api.get(f"/api/graphs/{gid}/versions/2").json()["name"] == "Echo v2"
    listed = api.get("/api/graphs").json()
    assert [(g["id"], g["version"]) for g in listed] == [(gid, 1)]
    assert "nodes" not in listed[0] and "links" not in listed[0]

    exported = api.get(f"/api/graphs/{gid}", params={"version": 2, "for_export": "true"}).json()
    assert exported["user_id"] == ""
    assert _nodes_by_block(exported)[STORE_VALUE]["input_default"] == {"data": "constant"}
    assert "sk-secret" not in str(exported)

    deleted = api.delete(f"/api/graphs/{gid}")
    assert deleted.status_code == 200
    assert deleted.json() == {"version_counts": 2}
    assert api.get(f"/api/graphs/{gid}").status_code == 404


def test_export_strips_secret_input_values(api):
    graph = {
        "name": "Secret",
        "nodes": [
            node("a", AGENT_INPUT, name="token_in", value="hunter2", secret=True),
            node("b", AGENT_INPUT, name="plain", value="shown"),
        ],
        "links": [],
    }
    gid = _create(api, graph)["id"]
    exported = api.get(f"/api/graphs/{gid}", params={"for_export": "true"}).json()
    values = sorted(n["input_default"].get("value", "<none>") for n in exported["nodes"])
    assert values == ["<none>", "shown"]


def test_settings_patch_round_trips(api):
    gid = _create(api)["id"]
    resp = api.patch(f"/api/graphs/{gid}/settings", json_body={"human_in_the_loop_safe_mode": False})
    assert resp.status_code == 200
    assert resp.json() == {
        "human_in_the_loop_safe_mode": False,
        "sensitive_action_safe_mode": False,
        "fail_on_node_error": False,
    }


def test_update_with_mismatched_id_is_400(api):
    gid = _create(api)["id"]
    body = {**input_store_output_graph(), "id": str(uuid.uuid4())}
    resp = api.put(f"/api/graphs/{gid}", json_body=body)
    assert resp.status_code == 400
    assert resp.json()["detail"] == "Graph ID does not match ID in URI"


def test_unknown_version_and_unknown_graph_are_404(api):
    gid = _create(api)["id"]
    assert api.get(f"/api/graphs/{gid}/versions/7").status_code == 404
    missing = api.get("/api/graphs/does-not-exist")
    assert missing.status_code == 404
    assert missing.json() == {
        "message": "Failed to process GET /api/graphs/does-not-exist",
        "detail": "Graph #does-not-exist not found.",
        "hint": "Adjust the request and retry.",
    }
    assert (
        api.put(f"/api/graphs/{gid}/versions/active", json_body={"active_graph_version": 9}).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("GET", "/versions", None),
        ("GET", "/versions/1", None),
        ("PUT", "", input_store_output_graph()),
        ("PUT", "/versions/active", {"active_graph_version": 1}),
        ("PATCH", "/settings", {"human_in_the_loop_safe_mode": False}),
        ("DELETE", "", None),
    ],
)
def test_another_users_graph_is_404(api, other_api, method, suffix, body):
    gid = _create(api)["id"]
    resp = other_api.request(method, f"/api/graphs/{gid}{suffix}", json_body=body)
    assert resp.status_code == 404
    assert api.get(f"/api/graphs/{gid}").status_code == 200  # untouched for its owner


def test_graph_listing_is_per_user(api, other_api):
    _create(api)
    assert other_api.get("/api/graphs").json() == []


def test_unknown_block_gets_400_with_node_errors(api):
    graph = input_store_output_graph()
    graph["nodes"].append(node("ghost", "00000000-0000-4000-8000-000000000000"))
    resp = api.post("/api/graphs", json_body={"graph": graph})
    assert resp.status_code == 400
    detail = resp.json()["detail"]
    assert detail == {
        "type": "validation_error",
        "message": (
            "Graph validation failed: 1 issues on 1 nodes. "
            "Blocks not available on this platform: 00000000-0000-4000-8000-000000000000"
        ),
        "node_errors": {"ghost": {"block_id": "Block #00000000-0000-4000-8000-000000000000 not found."}},
    }


def test_unknown_pin_gets_400_with_node_errors(api):
    graph = input_store_output_graph()
    graph["links"].append(link("in", "result", "out", "no_such_pin"))
    resp = api.post("/api/graphs", json_body={"graph": graph})
    assert resp.status_code == 400
    errors = resp.json()["detail"]["node_errors"]
    assert list(errors) == ["out"]
    assert errors["out"]["no_such_pin"].startswith(
        "Link (in,result) <-> (out,no_such_pin), `no_such_pin` invalid"
    )


def test_an_invalid_pin_on_a_block_with_dynamic_pins_shows_their_syntax(api):
    fill_text = "db7d8f02-2f44-4c55-ab7a-eae0941f0c30"  # values: dict[str, Any]
    graph = {
        "name": "dyn",
        "nodes": [node("in", AGENT_INPUT, name="a"), node("fill", fill_text, format="{{a}}")],
        "links": [link("in", "result", "fill", "values_a")],  # meant values_#_a
    }
    resp = api.post("/api/graphs", json_body={"graph": graph})
    assert resp.status_code == 400
    message = resp.json()["detail"]["node_errors"]["fill"]["values_a"]
    assert message == (
        "Link (in,result) <-> (fill,values_a), `values_a` invalid, Allowed fields: "
        "['escape_html', 'format', 'values']. Dynamic pins: `values_#_<key>`"
    )
    # A block without dict or list inputs gets no hint.
    graph = input_store_output_graph()
    graph["links"].append(link("in", "result", "out", "no_such_pin"))
    (error,) = (
        api.post("/api/graphs", json_body={"graph": graph}).json()["detail"]["node_errors"]["out"].values()
    )
    assert "Dynamic pins" not in error


def test_missing_required_io_field_gets_400(api):
    graph = {"name": "g", "nodes": [node("in", AGENT_INPUT)], "links": []}
    resp = api.post("/api/graphs", json_body={"graph": graph})
    assert resp.status_code == 400
    assert resp.json()["detail"]["node_errors"] == {"in": {"name": "This field is required"}}


def test_dynamic_pin_links_validate_against_their_base_field(api):
    fill_text = "db7d8f02-2f44-4c55-ab7a-eae0941f0c30"
    graph = {
        "name": "dyn",
        "nodes": [node("in", AGENT_INPUT, name="a"), node("v", STORE_VALUE)],
        "links": [link("in", "result", "v", "input_#_key")],
    }
    assert api.post("/api/graphs", json_body={"graph": graph}).status_code == 200
    assert fill_text  # documented id; the full block arrives with the block library
