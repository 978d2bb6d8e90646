"""AutoGPT execution semantics, end to end: API -> Step Functions (moto) -> Lambdas.

Scenarios from the reference suite (spec §6.2) and conformance cases (spec §6.4, §8).
"""

from __future__ import annotations

from typing import Any

from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, STORE_VALUE, link, node
from tests.support.runs import (
    CALCULATOR,
    CONDITION,
    FILL_TEXT_TEMPLATE,
    FIND_IN_DICTIONARY,
    GET_LIST_ITEM,
    STEP_THROUGH_ITEMS,
    create_graph,
    execute,
    node_ids,
    wait_for,
)


def _executions_of(run: dict[str, Any], created: dict[str, Any], index: int) -> list[dict[str, Any]]:
    node_id = node_ids(created)[str(index)]
    return [n for n in run["node_executions"] if n["node_id"] == node_id]


def _run(api: Any, graph: dict[str, Any], inputs: dict[str, Any] | None = None) -> tuple[dict, dict]:
    created = create_graph(api, graph)
    started = execute(api, created, inputs)
    assert started["status"] == "QUEUED"
    return created, wait_for(api, created["id"], started["id"])


def test_agent_execution_fills_template_from_two_inputs(api):
    graph = {
        "name": "test_agent_execution",
        "nodes": [
            node("n0", AGENT_INPUT, name="input_1"),
            node("n1", AGENT_INPUT, name="input_2", description="This is my description of this parameter"),
            node("n2", FILL_TEXT_TEMPLATE, format="{{a}}, {{b}}{{c}}", **{"values_#_c": "!!!"}),
            node("n3", STORE_VALUE),
        ],
        "links": [
            link("n0", "result", "n2", "values_#_a"),
            link("n1", "result", "n2", "values_#_b"),
            link("n2", "output", "n3", "input"),
        ],
    }
    _, run = _run(api, graph, {"input_1": "Hello", "input_2": "World"})

    assert run["status"] == "COMPLETED"
    execs = run["node_executions"]
    assert len(execs) == 4
    assert all(e["status"] == "COMPLETED" for e in execs)
    inputs = [
        {"name": "input_1", "value": "Hello"},
        {"name": "input_2", "value": "World", "description": "This is my description of this parameter"},
    ]
    assert execs[0]["input_data"] in inputs and execs[1]["input_data"] in inputs
    assert execs[0]["input_data"] != execs[1]["input_data"]
    assert {str(execs[0]["output_data"]), str(execs[1]["output_data"])} == {
        str({"result": ["Hello"]}),
        str({"result": ["World"]}),
    }
    assert execs[2]["input_data"] == {
        "format": "{{a}}, {{b}}{{c}}",
        "values": {"a": "Hello", "b": "World", "c": "!!!"},
        "values_#_a": "Hello",
        "values_#_b": "World",
        "values_#_c": "!!!",
    }
    assert execs[2]["output_data"] == {"output": ["Hello, World!!!"]}
    assert execs[3]["input_data"] == {"input": "Hello, World!!!"}
    assert execs[3]["output_data"] == {"output": ["Hello, World!!!"]}


def test_linked_pins_wait_for_link_data_and_ignore_defaults(api):
    graph = {
        "name": "test_input_pin_always_waited",
        "nodes": [
            node("n0", STORE_VALUE, input={"key1": "value1", "key2": "value2"}),
            node("n1", STORE_VALUE, input="key2"),
            node("n2", FIND_IN_DICTIONARY, key="", input={}),
        ],
        "links": [link("n0", "output", "n2", "input"), link("n1", "output", "n2", "key")],
    }
    created, run = _run(api, graph)

    assert run["status"] == "COMPLETED"
    assert len(run["node_executions"]) == 3
    [find] = _executions_of(run, created, 2)
    assert find["output_data"] == {"output": ["value2"]}


def test_static_link_completes_every_waiting_execution(api):
    graph = {
        "name": "test_static_input_link_on_graph",
        "nodes": [
            node("n0", STORE_VALUE, input=4),
            node("n1", STORE_VALUE, input=4),
            node("n2", STORE_VALUE, input=4),
            node("n3", STORE_VALUE, input=5),
            node("n4", STORE_VALUE),
            node("n5", CALCULATOR, operation="Add"),
        ],
        "links": [
            link("n0", "output", "n5", "a"),
            link("n1", "output", "n5", "a"),
            link("n2", "output", "n5", "a"),
            link("n3", "output", "n4", "input"),
            link("n4", "output", "n5", "b", static=True),
        ],
    }
    created, run = _run(api, graph)

    assert run["status"] == "COMPLETED"
    assert len(run["node_executions"]) == 8
    for execution in run["node_executions"][-3:]:
        assert execution["status"] == "COMPLETED"
        assert execution["output_data"] == {"result": [9]}
    assert len(_executions_of(run, created, 5)) == 3


def test_error_pin_routes_and_node_failure_leaves_run_completed(api):
    graph = {
        "name": "error pin",
        "nodes": [
            node("n0", GET_LIST_ITEM, list=[1, 2, 3], index=5),
            node("n1", STORE_VALUE),
        ],
        "links": [link("n0", "error", "n1", "input")],
    }
    created, run = _run(api, graph)

    assert run["status"] == "COMPLETED"
    [failed] = _executions_of(run, created, 0)
    assert failed["status"] == "FAILED"
    [error] = failed["output_data"]["error"]
    assert error.startswith("raised by GetListItemBlock with message: ")
    [sink] = _executions_of(run, created, 1)
    assert sink["status"] == "COMPLETED"
    assert sink["output_data"] == {"output": [error]}
    assert run["stats"]["node_error_count"] == 1


def test_fail_on_node_error_setting_fails_the_run(api):
    created = create_graph(
        api, {"name": "strict", "nodes": [node("n0", GET_LIST_ITEM, list=[1], index=3)], "links": []}
    )
    response = api.patch(f"/api/graphs/{created['id']}/settings", json_body={"fail_on_node_error": True})
    assert response.status_code == 200
    started = execute(api, created)
    run = wait_for(api, created["id"], started["id"])

    assert run["status"] == "FAILED"
    assert run["node_executions"][0]["status"] == "FAILED"


def test_step_through_items_fans_out_one_execution_per_item_in_order(api):
    graph = {
        "name": "fan-out",
        "nodes": [node("n0", STEP_THROUGH_ITEMS, items=[1, 2, 3]), node("n1", STORE_VALUE)],
        "links": [link("n0", "item", "n1", "input")],
    }
    created, run = _run(api, graph)

    assert run["status"] == "COMPLETED"
    [stepper] = _executions_of(run, created, 0)
    assert stepper["output_data"]["item"] == [1, 2, 3]
    sinks = _executions_of(run, created, 1)
    assert [s["input_data"] for s in sinks] == [{"input": 1}, {"input": 2}, {"input": 3}]
    assert [s["output_data"] for s in sinks] == [{"output": [1]}, {"output": [2]}, {"output": [3]}]


def test_condition_runs_only_the_taken_branch(api):
    graph = {
        "name": "branching",
        "nodes": [
            node("n0", CONDITION, value1=10, operator=">", value2=5, yes_value="big", no_value="small"),
            node("n1", STORE_VALUE),
            node("n2", STORE_VALUE),
        ],
        "links": [link("n0", "yes_output", "n1", "input"), link("n0", "no_output", "n2", "input")],
    }
    created, run = _run(api, graph)

    assert run["status"] == "COMPLETED"
    [yes] = _executions_of(run, created, 1)
    assert yes["output_data"] == {"output": ["big"]}
    assert _executions_of(run, created, 2) == []
    assert len(run["node_executions"]) == 2


def test_dynamic_pins_on_both_sides(api):
    graph = {
        "name": "dynamic pins",
        "nodes": [
            node("n0", STORE_VALUE, input={"greeting": "Hi", "names": ["Ann", "Bob"]}),
            node("n1", FILL_TEXT_TEMPLATE, format="{{g}} {{n}}"),
        ],
        "links": [
            link("n0", "output_#_greeting", "n1", "values_#_g"),
            link("n0", "output_#_names_$_1", "n1", "values_#_n"),
        ],
    }
    created, run = _run(api, graph)

    assert run["status"] == "COMPLETED"
    [template] = _executions_of(run, created, 1)
    assert template["input_data"]["values"] == {"g": "Hi", "n": "Bob"}
    assert template["output_data"] == {"output": ["Hi Bob"]}


def test_graph_outputs_come_from_the_output_block_input_value(api):
    graph = {
        "name": "outputs",
        "nodes": [
            node("n0", AGENT_INPUT, name="x"),
            node("n1", AGENT_OUTPUT, name="y", format="formatted {{y}}"),
        ],
        "links": [link("n0", "result", "n1", "value")],
    }
    _, run = _run(api, graph, {"x": 42})

    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {"y": [42]}
    assert run["node_executions"][1]["output_data"] == {"output": ["formatted 42"]}


def test_invalid_starting_input_is_a_400_with_node_errors(api):
    created = create_graph(
        api, {"name": "needs a list", "nodes": [node("n0", GET_LIST_ITEM, index=0)], "links": []}
    )
    response = api.post(f"/api/graphs/{created['id']}/execute/{created['version']}", json_body={"inputs": {}})

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail["type"] == "validation_error"
    assert detail["message"] == "Graph validation failed: 1 issues on 1 nodes"
    assert detail["node_errors"] == {created["nodes"][0]["id"]: {"list": "This field is required"}}


def test_values_on_different_pins_pair_up_fifo(api):
    graph = {
        "name": "fifo pairing",
        "nodes": [
            node("n0", STEP_THROUGH_ITEMS, items=[1, 2, 3]),
            node("n1", STEP_THROUGH_ITEMS, items=[10, 20, 30]),
            node("n2", CALCULATOR, operation="Add"),
        ],
        "links": [link("n0", "item", "n2", "a"), link("n1", "item", "n2", "b")],
    }
    created, run = _run(api, graph)

    assert run["status"] == "COMPLETED"
    sums = _executions_of(run, created, 2)
    assert sorted((s["input_data"]["a"], s["input_data"]["b"]) for s in sums) == [(1, 10), (2, 20), (3, 30)]
    assert sorted(s["output_data"]["result"][0] for s in sums) == [11, 22, 33]


def test_static_constant_is_reused_by_every_execution_of_its_sink(api):
    graph = {
        "name": "static constant",
        "nodes": [
            node("n0", STEP_THROUGH_ITEMS, items=["a", "b", "c"]),
            node("n1", STORE_VALUE, input="!"),
            node("n2", FILL_TEXT_TEMPLATE, format="{{x}}{{y}}"),
        ],
        "links": [link("n0", "item", "n2", "values_#_x"), link("n1", "output", "n2", "values_#_y")],
    }
    created, run = _run(api, graph)

    assert run["status"] == "COMPLETED"
    filled = _executions_of(run, created, 2)
    assert sorted(f["output_data"]["output"][0] for f in filled) == ["a!", "b!", "c!"]
    assert [f["input_data"]["values_#_y"] for f in filled] == ["!", "!", "!"]


def test_two_pins_of_one_node_feeding_one_sink_pair_per_yield(api):
    # item and key are yielded alternately and committed together: the execution the
    # item opens is completed by the key within the same write.
    graph = {
        "name": "same-source pairing",
        "nodes": [node("n0", STEP_THROUGH_ITEMS, items=[5, 6, 7]), node("n1", CALCULATOR, operation="Add")],
        "links": [link("n0", "item", "n1", "a"), link("n0", "key", "n1", "b")],
    }
    created, run = _run(api, graph)

    assert run["status"] == "COMPLETED"
    sums = _executions_of(run, created, 1)
    assert [(s["input_data"]["a"], s["input_data"]["b"]) for s in sums] == [(5, 0), (6, 1), (7, 2)]
    assert [s["output_data"] for s in sums] == [{"result": [5]}, {"result": [7]}, {"result": [9]}]
    assert all(s["status"] == "COMPLETED" for s in sums)
