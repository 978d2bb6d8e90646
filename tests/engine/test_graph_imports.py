"""Importing exported agents: old pin names are migrated, missing blocks are named once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, STORE_VALUE, link, node
from tests.support.runs import create_graph, execute, wait_for

AGENTS = Path("/work/shared/reference/autogpt-agents")
COMBINE_TEXTS = "e30a4d42-7b7d-4e6a-b36e-1f9b8e3b7d85"
READ_DISCORD = "df06086a-d5ac-4abb-9996-2ad0acb2eff7"
SEND_DISCORD = "d0822ab5-9f8a-44a3-8971-531dd0178b6b"
MISSING_A = "aaaaaaaa-0000-4000-8000-000000000001"
MISSING_B = "bbbbbbbb-0000-4000-8000-000000000002"

# Every public export (issue 17: 21 of 21 import unchanged).
EXPORTS = sorted(path.name for path in AGENTS.glob("*.json"))


def test_all_twenty_one_exports_are_covered():
    assert len(EXPORTS) == 21


@pytest.mark.parametrize("name", EXPORTS)
def test_export_imports_unchanged(api, name):
    export = json.loads((AGENTS / name).read_text())
    resp = api.post("/api/graphs", json_body={"graph": export})
    assert resp.status_code == 200, resp.content
    created = resp.json()
    assert len(created["nodes"]) == len(export["nodes"])


def test_discord_templates_lose_the_token_links_and_combine_texts_gets_list_items(api):
    export = json.loads((AGENTS / "tpl_Discord_Search_Bot_v17.json").read_text())
    created = create_graph(api, export)
    blocks = {n["id"]: n["block_id"] for n in created["nodes"]}
    sinks = {(blocks[lk["sink_id"]], lk["sink_name"]) for lk in created["links"]}
    assert not {pin for block, pin in sinks if block in (READ_DISCORD, SEND_DISCORD)} & {"discord_bot_token"}
    assert {pin for block, pin in sinks if block == COMBINE_TEXTS} == {"input_$_0", "input_$_1"}
    assert len(created["links"]) == len(export["links"]) - 2  # the two token links
    defaults = [n["input_default"] for n in created["nodes"] if n["block_id"] == COMBINE_TEXTS]
    assert {"input_$_1": ", Here is the latest web info to answer the question : \n"} in defaults


def test_legacy_combine_texts_pins_run_as_list_items(api):
    graph = {
        "name": "Greeter",
        "nodes": [
            node("in", AGENT_INPUT, name="who"),
            node("combine", COMBINE_TEXTS, input2=" said hi"),
            node("out", AGENT_OUTPUT, name="line"),
        ],
        "links": [link("in", "result", "combine", "input1"), link("combine", "output", "out", "value")],
    }
    created = create_graph(api, graph)
    run = wait_for(api, created["id"], execute(api, created, {"who": "Ada"})["id"])
    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {"line": ["Ada said hi"]}


def test_missing_blocks_are_named_once_and_their_links_are_not_reported(api):
    graph = {
        "name": "Uses blocks we lack",
        "nodes": [
            node("in", AGENT_INPUT, name="x"),
            node("a1", MISSING_A),
            node("a2", MISSING_A),
            node("b", MISSING_B),
            node("store", STORE_VALUE),
        ],
        "links": [
            link("in", "result", "a1", "query"),
            link("a1", "results", "a2", "query"),
            link("a2", "results", "b", "text"),
            link("b", "out", "store", "input"),
        ],
    }
    resp = api.post("/api/graphs", json_body={"graph": graph})
    assert resp.status_code == 400
    assert resp.json()["detail"] == {
        "type": "validation_error",
        "message": (
            "Graph validation failed: 3 issues on 3 nodes. "
            f"Blocks not available on this platform: {MISSING_A}, {MISSING_B}"
        ),
        "node_errors": {
            "a1": {"block_id": f"Block #{MISSING_A} not found."},
            "a2": {"block_id": f"Block #{MISSING_A} not found."},
            "b": {"block_id": f"Block #{MISSING_B} not found."},
        },
    }


def test_a_missing_block_in_a_sub_graph_is_named_in_the_same_error(api):
    sub = {"id": "sub-1", "name": "Inner", "nodes": [node("x", MISSING_B)], "links": []}
    graph = {"name": "Outer", "nodes": [node("y", MISSING_A)], "links": [], "sub_graphs": [sub]}
    resp = api.post("/api/graphs", json_body={"graph": graph})
    assert resp.status_code == 400
    assert resp.json()["detail"]["message"].endswith(
        f"Blocks not available on this platform: {MISSING_B}, {MISSING_A}"
    )
