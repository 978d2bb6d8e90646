"""Batching by sub-DAG (engine/grouping.py) and what it means for a run: a mesh runs in
one invocation, and a node's executions route their outputs in queue order (per-pin
FIFO, spec §3) even when the wave has room for parallel batches."""

from __future__ import annotations

import threading
from typing import Any

from tests.support.graphs import AGENT_OUTPUT, STORE_VALUE, link, node
from tests.support.runs import (
    CALCULATOR,
    STEP_THROUGH_ITEMS,
    by_node,
    create_graph,
    execute,
    node_ids,
    run_graph,
    wait_for,
)


def _graph(links: list[tuple[str, str]], names: str) -> Any:
    from agentplatform.models.graph import GraphModel

    graph = GraphModel.model_validate(
        {
            "id": "g",
            "version": 1,
            "name": "g",
            "user_id": "u",
            "nodes": [node(name, STORE_VALUE) for name in names],
            "links": [link(source, "output", sink, "input") for source, sink in links],
        }
    )
    graph.link_nodes()
    return graph


def test_executions_sharing_a_routing_node_downstream_form_one_group():
    from agentplatform.engine.grouping import groups

    # a -> c <- b, c -> d; e -> f (leaf); g alone (leaf)
    graph = _graph([("a", "c"), ("b", "c"), ("c", "d"), ("e", "f")], "abcdefg")

    assert groups(graph, ["a", "e", "b", "g"]) == [[0, 2], [1], [3]]
    assert groups(graph, ["c", "c", "a"]) == [[0, 1, 2]]  # a node's executions stay together
    assert groups(graph, ["d", "d", "f", "f"]) == [[0], [1], [2], [3]]  # leaves spread freely
    assert groups(graph, [None, "a", None]) == [[0], [1], [2]]


def test_pack_never_splits_a_group_and_keeps_queue_order():
    from agentplatform.engine.grouping import pack

    assert pack([[0, 2, 4], [1], [3], [5]], 2) == [[0, 2, 4], [1, 3, 5]]
    assert pack([[0], [1]], 10) == [[0], [1]]
    assert pack([[0, 1, 2]], 4) == [[0, 1, 2]]


def _count_batches(monkeypatch: Any) -> dict[str, Any]:
    """Each run_batch call, with the nodes its node executions belonged to, in order."""
    from agentplatform.engine import runner

    calls: list[list[tuple[str, Any]]] = []
    timeline: list[tuple[str, str, str]] = []  # every node execution's start and end, in order
    current = threading.local()
    real_batch, real_run = runner.run_batch, runner.NodeRun.run

    def run_batch(*args: Any, **kwargs: Any) -> Any:
        current.ran = []
        calls.append(current.ran)
        return real_batch(*args, **kwargs)

    def run(self: Any) -> None:
        current.ran.append((self.node.id, self.item))
        timeline.append(("start", self.node.id, self.node_exec_id))
        real_run(self)
        timeline.append(("end", self.node.id, self.node_exec_id))

    monkeypatch.setattr(runner, "run_batch", run_batch)
    monkeypatch.setattr(runner.NodeRun, "run", run)
    from functions.graph_run import run_node

    monkeypatch.setattr(run_node, "run_batch", run_batch)
    return {"calls": calls, "timeline": timeline}


def test_a_mesh_runs_in_one_batch_and_adds_up(api, monkeypatch):
    seen = _count_batches(monkeypatch)
    width = 4
    nodes = [node(f"m0_{j}", CALCULATOR, operation="Add", a=1, b=1) for j in range(width)]
    links = []
    for layer in range(1, width):
        for j in range(width):
            nodes.append(node(f"m{layer}_{j}", CALCULATOR, operation="Add"))
            links.append(link(f"m{layer - 1}_{j}", "result", f"m{layer}_{j}", "a"))
            links.append(link(f"m{layer - 1}_{(j + 1) % width}", "result", f"m{layer}_{j}", "b"))
    graph = {"name": "mesh", "nodes": nodes, "links": links}

    run = run_graph(api, graph)

    assert run["status"] == "COMPLETED"
    assert len(run["node_executions"]) == width * width
    assert len(seen["calls"]) == 1 and len(seen["calls"][0]) == width * width
    results = sorted(n["output_data"]["result"][0] for n in run["node_executions"])
    assert results == [value for layer in range(width) for value in [2 * 2**layer] * width]


def test_a_nodes_executions_route_in_queue_order_with_parallel_batches_available(api, monkeypatch):
    seen = _count_batches(monkeypatch)
    items = list(range(12))
    graph = {
        "name": "ordered",
        "nodes": [
            node("step", STEP_THROUGH_ITEMS, items=items),
            node("mid", STORE_VALUE),
            node("out", AGENT_OUTPUT, name="items"),
        ],
        "links": [link("step", "item", "mid", "input"), link("mid", "output", "out", "value")],
    }

    created = create_graph(api, graph)
    started = execute(api, created)
    run = wait_for(api, created["id"], started["id"])

    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {"items": items}
    mid = node_ids(created)["1"]
    queued_mid = sorted(by_node(run, created, mid), key=lambda n: n["queue_time"])
    assert [n["input_data"]["input"] for n in queued_mid] == items
    # "mid" ran one execution at a time (each started after the one before ended), in
    # queue order: its outputs reached "out" in the order of the items.
    ran_mid = [(event, exec_id) for event, node_id, exec_id in seen["timeline"] if node_id == mid]
    assert ran_mid == [(event, n["node_exec_id"]) for n in queued_mid for event in ("start", "end")]


def test_waves_take_handed_back_ids_then_spilled_chunks_then_new_ids(cloud, monkeypatch):
    from agentplatform.engine import planner
    from agentplatform.engine.grouping import Work
    from agentplatform.store import executions

    monkeypatch.setattr(planner, "WAVE_IDS_MAX", 3)
    monkeypatch.setattr(executions, "WORK_CHUNK_IDS", 2)
    repo = executions.ExecutionRepository()
    ref = executions.RunRef("u", "run-1")
    graph = _graph([("a", "b")], "ab")
    run: dict[str, Any] = {}

    def wave(heads: list[str], tails: list[str], spilled: list[str] | None = None) -> list[str]:
        work = planner._next_wave(
            repo,
            ref,
            graph,
            run,
            Work(heads, ["a"] * len(heads)),
            Work(tails, ["a"] * len(tails)),
            spilled or [],
        )
        assert work.nodes == ["a"] * len(work)
        return work.ids

    assert wave(["h1"], ["t1", "t2", "t3", "t4"]) == ["h1", "t1", "t2"]
    assert len(run["cursor"]) == 1  # t3, t4 in one chunk
    spilled = repo.spill_work(ref, ["s1", "s2", "s3"], [0, 0, 0])
    assert wave(["h2"], ["n1"], spilled) == ["h2", "t3", "t4"]
    assert wave([], []) == ["n1", "s1", "s2"]
    assert wave([], []) == ["s3"] and "cursor" not in run
    assert wave([], ["t5"]) == ["t5"]
