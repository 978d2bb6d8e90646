"""Importing an export with embedded ``sub_graphs``: each becomes the user's own graph, the
AgentExecutor nodes are re-pointed (also inside sub-graphs), and the agent runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import USER_ID
from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, input_store_output_graph, link, node
from tests.support.library import RELAY_ID, RELAY_REF, SHOUT_ID, executor_node, nested_export
from tests.support.runs import AGENT_EXECUTOR, create_graph, execute, wait_for

AGENTS = Path("/work/shared/reference/autogpt-agents")


def _executors(graph: dict[str, Any]) -> list[dict[str, Any]]:
    return [n["input_default"] for n in graph["nodes"] if n["block_id"] == AGENT_EXECUTOR]


def test_import_stores_each_sub_graph_and_repoints_the_nodes(api):
    created = create_graph(api, nested_export())

    relay, shout = created["sub_graphs"]
    assert (relay["name"], shout["name"]) == ("Relay", "Shout")
    submitted = {SHOUT_ID, RELAY_ID, RELAY_REF, nested_export()["id"]}
    assert {created["id"], relay["id"], shout["id"]}.isdisjoint(submitted)
    assert [(s["version"], s["user_id"]) for s in (relay, shout)] == [(1, USER_ID), (1, USER_ID)]
    [to_relay] = _executors(created)
    assert (to_relay["graph_id"], to_relay["graph_version"], to_relay["user_id"]) == (relay["id"], 1, USER_ID)
    [to_shout] = _executors(relay)
    assert (to_shout["graph_id"], to_shout["graph_version"]) == (shout["id"], 1)
    # Each is a graph of the user's own now, in the graph list and in the library.
    stored_relay = api.get(f"/api/graphs/{relay['id']}").json()
    assert (stored_relay["user_id"], stored_relay["version"], stored_relay["is_active"]) == (USER_ID, 1, True)
    assert [s["id"] for s in stored_relay["sub_graphs"]] == [shout["id"]]
    assert api.get(f"/api/graphs/{shout['id']}/versions/1").status_code == 200
    listed = {g["id"] for g in api.get("/api/graphs").json()}
    assert listed == {created["id"], relay["id"], shout["id"]}
    library = api.get("/api/library/agents", params={"sort_by": "createdAt"}).json()
    assert sorted(a["graph_id"] for a in library["agents"]) == sorted(listed)


def test_imported_agent_runs_its_stored_sub_graphs_to_completion(api):
    created = create_graph(api, nested_export())

    started = execute(api, created, {"x": "two levels down"})
    run = wait_for(api, created["id"], started["id"])

    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {"y": ["two levels down"]}
    [agent_node] = [n for n in run["node_executions"] if n["block_id"] == AGENT_EXECUTOR]
    assert (agent_node["status"], agent_node["output_data"]) == ("COMPLETED", {"a_out": ["two levels down"]})
    relay, shout = created["sub_graphs"]
    for sub in (relay, shout):
        [child] = api.get(f"/api/graphs/{sub['id']}/executions").json()["executions"]
        assert child["status"] == "COMPLETED"


def test_export_embeds_the_sub_graphs_again_and_round_trips(api):
    created = create_graph(api, nested_export())

    exported = api.get(f"/api/graphs/{created['id']}", params={"for_export": "true"}).json()

    assert [s["id"] for s in exported["sub_graphs"]] == [s["id"] for s in created["sub_graphs"]]
    assert exported["user_id"] == "" and {s["user_id"] for s in exported["sub_graphs"]} == {""}
    again = create_graph(api, exported)
    assert {s["id"] for s in again["sub_graphs"]}.isdisjoint({s["id"] for s in created["sub_graphs"]})
    run = wait_for(api, again["id"], execute(api, again, {"x": "again"})["id"])
    assert (run["status"], run["outputs"]) == ("COMPLETED", {"y": ["again"]})


def test_export_embeds_graphs_the_builder_referenced(api):
    """A graph composed in the builder refers to the user's existing graph; its export
    carries that graph so another user can import and run it."""
    child = create_graph(api, input_store_output_graph("Child"))
    parent = create_graph(
        api,
        {
            "name": "Composed",
            "nodes": [
                node("in", AGENT_INPUT, name="a"),
                executor_node("agent", child["id"], 1, "x", "y"),
                node("out", AGENT_OUTPUT, name="b"),
            ],
            "links": [link("in", "result", "agent", "x"), link("agent", "y", "out", "value")],
        },
    )
    assert parent["sub_graphs"] == []

    exported = api.get(f"/api/graphs/{parent['id']}", params={"for_export": "true"}).json()

    assert [(s["id"], s["name"]) for s in exported["sub_graphs"]] == [(child["id"], "Child")]


def test_too_many_sub_graphs_is_400_and_writes_nothing(api):
    export = nested_export()
    export["sub_graphs"] = [
        {**input_store_output_graph(f"S{i}"), "id": f"e0000000-0000-4000-8000-{i:012d}", "version": 1}
        for i in range(33)
    ]

    response = api.post("/api/graphs", json_body={"graph": export})

    assert response.status_code == 400
    assert response.json()["detail"] == "An agent can embed at most 32 sub-graphs, this one has 33"
    assert api.get("/api/graphs").json() == []
    assert api.get("/api/library/agents").json()["agents"] == []


@pytest.mark.parametrize("path", sorted(p.name for p in AGENTS.glob("agent_*.json")))
def test_reference_exports_point_every_sub_agent_at_an_embedded_graph(path):
    """The marketplace's agent files name sub-graphs by ids they do not embed; after the
    import's re-pointing every AgentExecutor node runs one of the stored sub-graphs."""
    from agentplatform.graphs.subgraphs import detach_sub_graphs
    from agentplatform.models.graph import Graph

    export = json.loads((AGENTS / path).read_text())
    graph = Graph.model_validate(export)
    detach_sub_graphs(graph)

    embedded = {(sub.id, sub.version) for sub in graph.sub_graphs}
    assert len(embedded) == len(export.get("sub_graphs") or [])
    refs = [
        (n.input_default["graph_id"], n.input_default["graph_version"])
        for g in (graph, *graph.sub_graphs)
        for n in g.nodes
        if n.block_id == AGENT_EXECUTOR
    ]
    assert all(ref in embedded for ref in refs)
    assert {sub.id for sub in graph.sub_graphs}.isdisjoint(
        {sub["id"] for sub in export.get("sub_graphs") or []}
    )


def test_fork_copies_the_sub_graphs_too(api):
    created = create_graph(api, nested_export())
    agent = api.get(f"/api/library/agents/by-graph/{created['id']}").json()

    fork = api.post(f"/api/library/agents/{agent['id']}/fork").json()

    copied = api.get(f"/api/graphs/{fork['graph_id']}").json()
    originals = {s["id"] for s in created["sub_graphs"]}
    assert [s["name"] for s in copied["sub_graphs"]] == ["Relay", "Shout"]
    assert {s["id"] for s in copied["sub_graphs"]}.isdisjoint(originals)
    [to_relay] = _executors(copied)
    assert to_relay["graph_id"] == copied["sub_graphs"][0]["id"]
    assert len(api.get("/api/graphs").json()) == 6
    run = wait_for(api, copied["id"], execute(api, copied, {"x": "forked"})["id"])
    assert (run["status"], run["outputs"]) == ("COMPLETED", {"y": ["forked"]})
