"""The routing rules (spec §3.2, §8.2-3) on the pure ``Router``, no cloud needed."""

from __future__ import annotations

import itertools
from typing import Any

from agentplatform.engine.routing import Router, RouteResult, SinkState, merge_routes, operation_count
from agentplatform.models.graph import GraphModel, Link, NodeModel

STORE_VALUE = "1ff065e9-88e8-4358-9d82-8dc91f622ba9"
CALCULATOR = "b1ab9b19-67a6-406d-abf5-2dba76d00c79"


def _graph(static_b: bool = False) -> GraphModel:
    """a, b (StoreValues) -> calc.a / calc.b."""
    graph = GraphModel(
        id="g",
        user_id="u",
        nodes=[
            NodeModel(id="a", block_id=STORE_VALUE),
            NodeModel(id="b", block_id=STORE_VALUE),
            NodeModel(id="calc", block_id=CALCULATOR, input_default={"operation": "Add"}),
        ],
        links=[
            Link(source_id="a", sink_id="calc", source_name="output", sink_name="a"),
            Link(source_id="b", sink_id="calc", source_name="output", sink_name="b", is_static=static_b),
        ],
    )
    graph.link_nodes()
    return graph


def _router(graph: GraphModel) -> Router:
    counter = itertools.count(1)
    return Router(graph, {}, lambda: f"e{next(counter)}")


def _apply(states: dict[str, SinkState], result: RouteResult) -> None:
    states.update(result.states)


def _send(
    router: Router, graph: GraphModel, states: dict[str, SinkState], source: str, value: Any
) -> RouteResult:
    result = router.route(graph.node(source), ("output", value), states)
    _apply(states, result)
    return result


def test_values_on_one_pin_open_executions_that_the_other_pin_fills_in_order():
    graph = _graph()
    router, states = _router(graph), {}
    for value in (1, 2, 3):
        assert _send(router, graph, states, "a", value).queued_ids == []
    completed = [_send(router, graph, states, "b", value) for value in (10, 20, 30)]

    assert [r.queued_ids for r in completed] == [["e1"], ["e2"], ["e3"]]
    assert [r.queued[0].input["a"] + r.queued[0].input["b"] for r in completed] == [11, 22, 33]
    assert states["calc"].pending == []


def test_a_static_pin_is_borrowed_from_the_latest_queued_input():
    graph = _graph(static_b=True)
    router, states = _router(graph), {}
    _send(router, graph, states, "a", 1)
    first = _send(router, graph, states, "b", 100)
    later = _send(router, graph, states, "a", 2)

    assert first.queued_ids == ["e1"]
    assert later.queued_ids == ["e2"]
    assert later.created[0].input["b"] == 100 and later.created[0].queued


def test_a_static_value_completes_every_waiting_execution():
    graph = _graph(static_b=True)
    router, states = _router(graph), {}
    for value in (1, 2, 3):
        _send(router, graph, states, "a", value)
    result = _send(router, graph, states, "b", 5)

    assert result.queued_ids == ["e1", "e2", "e3"]
    assert [e.input["a"] for e in result.queued] == [1, 2, 3]
    assert all(e.input["b"] == 5 for e in result.queued)


def test_merged_routes_create_an_execution_queued_when_one_write_opens_and_completes_it():
    graph = _graph()
    router, view = _router(graph), {}
    opened = router.route(graph.node("a"), ("output", 1), view)
    view.update(opened.states)
    completed = router.route(graph.node("b"), ("output", 2), view)

    merged = merge_routes(opened, completed)

    assert [(e.id, e.queued) for e in merged.created] == [("e1", True)]
    assert merged.queued == [] and merged.waiting == []
    assert merged.queued_ids == ["e1"]
    assert operation_count(merged) == 1 + 1 + 1  # own update, sink state, one new execution


def test_a_link_not_taking_the_output_routes_nothing():
    graph = _graph()
    result = _router(graph).route(graph.node("a"), ("error", "boom"), {})

    assert result.created == [] and result.states == {}
