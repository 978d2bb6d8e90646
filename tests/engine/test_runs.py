"""Run lifecycle: sub-graphs, stop, run_node idempotency, persistence, large values."""

from __future__ import annotations

import base64
import os
import threading
import time
from typing import Any

import pytest

from tests.conftest import USER_ID
from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, STORE_VALUE, input_store_output_graph, link, node
from tests.support.runs import (
    AGENT_EXECUTOR,
    COUNTDOWN_TIMER,
    PERSIST,
    RETRIEVE,
    STEP_THROUGH_ITEMS,
    create_graph,
    execute,
    get_run,
    node_ids,
    wait_for,
)


def _of(run: dict[str, Any], created: dict[str, Any], index: int) -> list[dict[str, Any]]:
    node_id = node_ids(created)[str(index)]
    return [n for n in run["node_executions"] if n["node_id"] == node_id]


def test_sub_graph_runs_as_a_child_the_parent_waits_on(api):
    child = create_graph(api, input_store_output_graph("Child"))
    parent = create_graph(
        api,
        {
            "name": "Parent",
            "nodes": [
                node("in", AGENT_INPUT, name="a"),
                node(
                    "agent",
                    AGENT_EXECUTOR,
                    graph_id=child["id"],
                    graph_version=child["version"],
                    input_schema=child["input_schema"],
                    output_schema=child["output_schema"],
                ),
                node("after", STORE_VALUE),
            ],
            "links": [link("in", "result", "agent", "x"), link("agent", "y", "after", "input")],
        },
    )
    started = execute(api, parent, {"a": "through the child"})
    run = wait_for(api, parent["id"], started["id"])

    assert run["status"] == "COMPLETED"
    [agent] = _of(run, parent, 1)
    assert agent["status"] == "COMPLETED"
    assert agent["output_data"] == {"y": ["through the child"]}
    [after] = _of(run, parent, 2)
    assert after["output_data"] == {"output": ["through the child"]}
    child_runs = api.get(f"/api/graphs/{child['id']}/executions").json()["executions"]
    assert [c["status"] for c in child_runs] == ["COMPLETED"]
    assert get_run(api, child["id"], child_runs[0]["id"])["outputs"] == {"y": ["through the child"]}
    # As upstream, the child's node executions count towards the parent run's.
    assert get_run(api, child["id"], child_runs[0]["id"])["stats"]["node_exec_count"] == 3
    assert run["stats"]["node_exec_count"] == 3 + 3


def test_stop_while_queued_terminates_at_once(api, monkeypatch):
    from agentplatform.engine import launcher

    monkeypatch.setattr(launcher, "start", lambda *args, **kwargs: None)  # executor not there yet
    created = create_graph(api, input_store_output_graph())
    started = execute(api, created, {"x": 1})

    response = api.post(f"/api/graphs/{created['id']}/executions/{started['id']}/stop")

    assert response.status_code == 200
    assert response.json()["status"] == "QUEUED"  # the pre-stop snapshot
    run = get_run(api, created["id"], started["id"])
    assert run["status"] == "TERMINATED"
    assert run["ended_at"] is not None
    assert [n["status"] for n in run["node_executions"]] == ["TERMINATED"]
    again = api.post(f"/api/graphs/{created['id']}/executions/{started['id']}/stop")
    assert again.status_code == 200 and again.json() is None


@pytest.fixture
def held_countdown(monkeypatch):
    """CountdownTimer blocks until the test releases it, so a run can be caught RUNNING."""
    from agentplatform.blocks.registry import get_block

    release, finished = threading.Event(), threading.Event()
    block = get_block(COUNTDOWN_TIMER)

    async def run(self: Any, input_data: Any, **kwargs: Any):
        release.wait(60)
        finished.set()
        yield "output_message", "timer done"

    monkeypatch.setattr(type(block), "run", run)
    yield release, finished
    release.set()


def _settled_status(sfn: Any, arn: str) -> str:
    """The execution's status once the interpreter has noticed (moto aborts between states)."""
    deadline = time.monotonic() + 60
    while True:
        status = str(sfn.describe_execution(executionArn=arn)["status"])
        if status != "RUNNING" or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def test_stop_while_running_stops_the_state_machine_and_terminates(api, held_countdown):
    from agentplatform.aws import client

    release, finished = held_countdown
    created = create_graph(
        api,
        {
            "name": "slow",
            "nodes": [node("timer", COUNTDOWN_TIMER, seconds=0), node("after", STORE_VALUE)],
            "links": [link("timer", "output_message", "after", "input")],
        },
    )
    started = execute(api, created)
    wait_for(
        api,
        created["id"],
        started["id"],
        until=lambda run: any(n["status"] == "RUNNING" for n in run["node_executions"]),
    )

    response = api.post(f"/api/graphs/{created['id']}/executions/{started['id']}/stop")

    assert response.status_code == 200
    assert response.json()["status"] == "RUNNING"
    run = get_run(api, created["id"], started["id"])
    assert run["status"] == "TERMINATED"
    assert [n["status"] for n in run["node_executions"]] == ["TERMINATED"]
    release.set()
    assert finished.wait(30)
    arn = os.environ["STATE_MACHINE_ARN"].replace(":stateMachine:", ":execution:") + ":" + started["id"]
    # AWS reports ABORTED; moto's interpreter trips over aborting an inline Map and
    # reports FAILED. Either way the execution is over and nothing ran after the stop.
    assert _settled_status(client("stepfunctions"), arn) in ("ABORTED", "FAILED")
    # The block finished after the stop: nothing it produced is recorded or routed.
    run = wait_for(api, created["id"], started["id"], until=lambda r: True)
    assert [n["status"] for n in run["node_executions"]] == ["TERMINATED"]
    assert run["node_executions"][0]["output_data"] == {}


def _run_parent_with_a_held_child(api: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A parent whose only node runs a sub-graph that waits on the held countdown.

    Returns (child graph, parent graph, parent run) once the child run is RUNNING.
    """
    child = create_graph(
        api,
        {
            "name": "slow child",
            "nodes": [node("in", AGENT_INPUT, name="x"), node("timer", COUNTDOWN_TIMER, seconds=0)],
            "links": [link("in", "result", "timer", "input_message")],
        },
    )
    parent = create_graph(
        api,
        {
            "name": "parent",
            "nodes": [
                node(
                    "agent",
                    AGENT_EXECUTOR,
                    graph_id=child["id"],
                    graph_version=child["version"],
                    inputs={"x": "go"},
                    input_schema=child["input_schema"],
                    output_schema=child["output_schema"],
                )
            ],
            "links": [],
        },
    )
    started = execute(api, parent)

    def child_running(_: dict[str, Any]) -> bool:
        runs = api.get(f"/api/graphs/{child['id']}/executions").json()["executions"]
        return bool(runs) and runs[0]["status"] == "RUNNING"

    wait_for(api, parent["id"], started["id"], until=child_running)
    return child, parent, started


def test_stop_cascades_to_sub_graph_runs(api, held_countdown):
    release, _ = held_countdown
    child, parent, started = _run_parent_with_a_held_child(api)
    api.post(f"/api/graphs/{parent['id']}/executions/{started['id']}/stop")

    [child_run] = api.get(f"/api/graphs/{child['id']}/executions").json()["executions"]
    assert child_run["status"] == "TERMINATED"
    assert get_run(api, parent["id"], started["id"])["status"] == "TERMINATED"
    release.set()


def _node_exec_event(api: Any, created: dict[str, Any], started: dict[str, Any]) -> dict[str, Any]:
    run = get_run(api, created["id"], started["id"])
    payload = {
        "user_id": USER_ID,
        "graph_exec_id": started["id"],
        "graph_id": created["id"],
        "graph_version": created["version"],
    }
    return {"run": payload, "batch": [run["node_executions"][0]["node_exec_id"]]}


def test_run_node_is_idempotent_when_invoked_again_after_a_crash(api, monkeypatch):
    from agentplatform.engine import launcher, runner
    from agentplatform.store.executions import ExecutionRepository
    from functions.graph_run.run_node import handler
    from local.lambdas import invoke

    monkeypatch.setattr(launcher, "start", lambda *args, **kwargs: None)  # drive run_node by hand
    monkeypatch.setattr(runner, "MAX_BUFFERED_OUTPUTS", 1)  # one transaction per output
    created = create_graph(
        api,
        {
            "name": "fan-out",
            "nodes": [node("step", STEP_THROUGH_ITEMS, items=[1, 2, 3]), node("sink", STORE_VALUE)],
            "links": [link("step", "item", "sink", "input")],
        },
    )
    started = execute(api, created)
    event = _node_exec_event(api, created, started)

    real_commit = ExecutionRepository.commit_output
    commits = {"n": 0}

    def crash_after_three(self: Any, *args: Any, **kwargs: Any) -> bool:
        if commits["n"] == 3:
            raise ConnectionError("Lambda died mid-run")
        commits["n"] += 1
        return real_commit(self, *args, **kwargs)

    monkeypatch.setattr(ExecutionRepository, "commit_output", crash_after_three)
    with pytest.raises(ConnectionError):
        invoke(handler, event)
    monkeypatch.setattr(ExecutionRepository, "commit_output", real_commit)

    retried = invoke(handler, event)  # what Step Functions' Retry does
    again = invoke(handler, event)

    run = get_run(api, created["id"], started["id"])
    [step] = _of(run, created, 0)
    assert step["status"] == "COMPLETED"
    assert step["output_data"] == {"item": [1, 2, 3], "key": [0, 1, 2]}
    sinks = _of(run, created, 1)
    assert sorted(s["input_data"]["input"] for s in sinks) == [1, 2, 3]
    assert all(s["status"] == "QUEUED" for s in sinks)
    assert sorted(retried["queued"]) == sorted(s["node_exec_id"] for s in sinks)
    assert sorted(again["queued"]) == sorted(retried["queued"])


def test_persist_then_retrieve_across_runs(api):
    writer = create_graph(
        api,
        {
            "name": "writer",
            "nodes": [
                node("in", AGENT_INPUT, name="v"),
                node("persist", PERSIST, key="colour", scope="across_agents"),
            ],
            "links": [link("in", "result", "persist", "value")],
        },
    )
    reader = create_graph(
        api,
        {
            "name": "reader",
            "nodes": [
                node("get", RETRIEVE, key="colour", scope="across_agents", default_value="none"),
                node("out", AGENT_OUTPUT, name="colour"),
            ],
            "links": [link("get", "value", "out", "value")],
        },
    )
    first = execute(api, writer, {"v": "teal"})
    assert wait_for(api, writer["id"], first["id"])["status"] == "COMPLETED"
    second = execute(api, reader)
    assert wait_for(api, reader["id"], second["id"])["outputs"] == {"colour": ["teal"]}


def test_large_values_spill_to_s3_and_load_back(api):
    from agentplatform.aws import client
    from agentplatform.config import get_settings

    big = base64.b64encode(os.urandom(300_000)).decode()  # incompressible, 400 KB
    created = create_graph(api, input_store_output_graph("big"))
    started = execute(api, created, {"x": big})
    run = wait_for(api, created["id"], started["id"])

    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {"y": [big]}
    assert all(n["output_data"] for n in run["node_executions"])
    listed = client("s3").list_objects_v2(
        Bucket=get_settings().bucket_name, Prefix=f"values/{started['id']}/"
    )
    assert listed.get("KeyCount", 0) >= 1


def test_a_spilled_value_is_written_once_and_never_replaced(cloud, monkeypatch):
    from agentplatform.aws import client
    from agentplatform.store import values

    s3, stored = client("s3"), []
    put = s3.put_object

    def recorded(**kwargs):
        response = put(**kwargs)  # raises when S3 keeps the object as it is
        stored.append(kwargs["Key"])
        return response

    monkeypatch.setattr(s3, "put_object", recorded)
    big = {"text": "x" * 400_000}
    first = values.spill(big, "run-1")
    again = values.spill(big, "run-1")  # the same content: the same object, left alone
    assert again == first
    assert stored == [first["$spilled"]]
    assert values.load(again) == big


def test_run_continues_as_new_execution_past_the_history_budget(api, monkeypatch):
    from agentplatform.aws import client
    from agentplatform.engine import planner

    # A budget so small that every wave after the first needs a fresh execution.
    monkeypatch.setattr(planner, "HISTORY_LIMIT", 60)
    monkeypatch.setattr(planner, "HISTORY_RESERVE", 0)
    graph = {
        "name": "long",
        "nodes": [
            node("step", STEP_THROUGH_ITEMS, items=[1, 2, 3, 4, 5, 6]),
            node("a", STORE_VALUE),
            node("out", AGENT_OUTPUT, name="values"),
        ],
        "links": [link("step", "item", "a", "input"), link("a", "output", "out", "value")],
    }
    created = create_graph(api, graph)
    started = execute(api, created)
    run = wait_for(api, created["id"], started["id"])

    assert run["status"] == "COMPLETED"
    assert sorted(run["outputs"]["values"]) == [1, 2, 3, 4, 5, 6]
    assert len(run["node_executions"]) == 13
    # The run's status is written by the last execution's finalize step, a moment
    # before that execution itself reports SUCCEEDED: wait for the executions to settle.
    sfn = client("stepfunctions")
    deadline = time.monotonic() + 30
    while True:
        listed = sfn.list_executions(stateMachineArn=os.environ["STATE_MACHINE_ARN"])["executions"]
        executions = [e for e in listed if e["name"].startswith(started["id"])]
        if all(e["status"] != "RUNNING" for e in executions) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    names = sorted(e["name"] for e in executions)
    assert names[0] == started["id"] and names[1] == f"{started['id']}--1"
    assert [e["status"] for e in executions] == ["SUCCEEDED"] * len(executions)


def test_a_crashing_run_node_is_caught_and_its_nodes_fail(api, monkeypatch):
    from agentplatform.engine import runner

    def crash(self: Any) -> None:
        raise RuntimeError("handler crashed")

    monkeypatch.setattr(runner.NodeRun, "run", crash)  # after Retry, the Map's Catch takes over
    created = create_graph(api, input_store_output_graph())
    started = execute(api, created, {"x": 1})
    run = wait_for(api, created["id"], started["id"])

    assert run["status"] == "COMPLETED"  # node failures leave the run COMPLETED, as upstream
    [node_exec] = run["node_executions"]
    assert node_exec["status"] == "FAILED"
    assert node_exec["output_data"] == {"error": ["RuntimeError: handler crashed"]}
    assert run["stats"]["node_error_count"] == 1


def test_stopping_a_sub_graph_run_fails_the_waiting_parent_node(api, held_countdown):
    release, _ = held_countdown
    child, parent, started = _run_parent_with_a_held_child(api)
    [child_run] = api.get(f"/api/graphs/{child['id']}/executions").json()["executions"]
    api.post(f"/api/graphs/{child['id']}/executions/{child_run['id']}/stop")
    release.set()
    run = wait_for(api, parent["id"], started["id"])

    assert run["status"] == "COMPLETED"
    [agent] = run["node_executions"]
    assert agent["status"] == "FAILED"
    assert agent["output_data"] == {
        "error": [f"Sub-graph execution #{child_run['id']} ended with status TERMINATED"]
    }


def test_fan_out_too_wide_for_payloads_is_spilled_and_walked_without_reading_the_run(api, monkeypatch):
    from agentplatform.engine import planner, runner
    from agentplatform.store import executions

    # Tiny limits stand in for 256 KB payloads and 400 KB items.
    monkeypatch.setattr(runner, "RETURN_IDS_MAX", 2)
    monkeypatch.setattr(planner, "WAVE_IDS_MAX", 3)
    monkeypatch.setattr(executions, "QUEUED_KEEP_MAX", 2)
    monkeypatch.setattr(executions, "WORK_CHUNK_IDS", 2)
    partition_reads: list[str] = []
    real_read = executions.ExecutionRepository.queued_node_execs

    def queued_node_execs(self: Any, ref: Any) -> Any:
        partition_reads.append(ref.graph_exec_id)
        return real_read(self, ref)

    monkeypatch.setattr(executions.ExecutionRepository, "queued_node_execs", queued_node_execs)
    graph = {
        "name": "wide",
        "nodes": [
            node("step", STEP_THROUGH_ITEMS, items=list(range(8))),
            node("sink", STORE_VALUE),
            node("out", AGENT_OUTPUT, name="all"),
        ],
        "links": [link("step", "item", "sink", "input"), link("sink", "output", "out", "value")],
    }
    created = create_graph(api, graph)
    started = execute(api, created)
    run = wait_for(api, created["id"], started["id"])

    assert run["status"] == "COMPLETED"
    assert run["outputs"]["all"] == list(range(8))  # "sink" routed its executions in queue order
    assert len(run["node_executions"]) == 17
    assert all(n["status"] == "COMPLETED" for n in run["node_executions"])
    assert partition_reads == []
