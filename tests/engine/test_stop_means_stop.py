"""Stop means stop: once a run is stopped its runner claims nothing more, and no node
execution is left QUEUED or RUNNING (the step already under way may finish)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.support.graphs import AGENT_INPUT, STORE_VALUE, link, node
from tests.support.runs import (
    STEP_THROUGH_ITEMS,
    InFlight,
    create_graph,
    execute,
    get_run,
    wait_for,
)

UNFINISHED = ("QUEUED", "RUNNING")


@pytest.fixture
def in_flight(monkeypatch: pytest.MonkeyPatch) -> InFlight:
    from agentplatform.engine import runner

    # Without stop checks a runner would chain this long: far past the wait ceiling.
    monkeypatch.setattr(runner, "DEFAULT_BUDGET_SECONDS", 600.0)
    return InFlight(monkeypatch.setattr)


def _runaway() -> dict[str, Any]:
    return {
        "name": "runaway",
        "nodes": [node("in", AGENT_INPUT, name="x"), node("a", STORE_VALUE), node("b", STORE_VALUE)],
        "links": [
            link("in", "result", "a", "input"),
            link("a", "output", "b", "input"),
            link("b", "output", "a", "input"),
        ],
    }


def _stop_when(api: Any, created: dict[str, Any], run_id: str, count: int) -> dict[str, Any]:
    wait_for(api, created["id"], run_id, until=lambda run: len(run["node_executions"]) >= count)
    response = api.post(f"/api/graphs/{created['id']}/executions/{run_id}/stop")
    assert response.status_code == 200
    assert response.json()["status"] == "RUNNING"
    return get_run(api, created["id"], run_id)


def test_a_stopped_chain_leaves_nothing_queued_or_running(api, in_flight):
    created = create_graph(api, _runaway())
    started = execute(api, created, {"x": "loop"})

    at_stop = _stop_when(api, created, started["id"], 20)
    assert in_flight.wait_idle(), "run_node never returned"

    run = get_run(api, created["id"], started["id"])
    assert run["status"] == "TERMINATED"
    assert [n["status"] for n in run["node_executions"] if n["status"] in UNFINISHED] == []
    assert len(run["node_executions"]) < len(at_stop["node_executions"]) + 50  # it did not go on


def _paced(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """StepThroughItems takes ``seconds`` per output, as a block doing real work would."""
    from agentplatform.blocks.registry import get_block

    block = get_block(STEP_THROUGH_ITEMS)
    original = type(block).run

    async def paced(self: Any, input_data: Any, **kwargs: Any):
        async for output in original(self, input_data, **kwargs):
            time.sleep(seconds)
            yield output

    monkeypatch.setattr(type(block), "run", paced)


def test_outputs_committed_while_the_stop_sweeps_leave_nothing_queued(api, in_flight, monkeypatch):
    """The race behind "one left QUEUED for good": the stop reads the run's node executions
    and terminates them one by one; meanwhile a node not yet reached commits outputs that
    queue fresh successors the stop never saw."""
    from agentplatform.engine import runner
    from agentplatform.store.executions import ExecutionRepository

    _paced(monkeypatch, 0.005)
    monkeypatch.setattr(runner, "MAX_BUFFERED_OUTPUTS", 4)  # commit (and queue sinks) often
    set_status = ExecutionRepository.set_node_status

    def slow_sweep(self: Any, ref: Any, node_exec_id: str, target: Any, **fields: Any) -> Any:
        if target.value == "TERMINATED":
            time.sleep(0.02)  # a table under load, or a run with many node executions
        return set_status(self, ref, node_exec_id, target, **fields)

    monkeypatch.setattr(ExecutionRepository, "set_node_status", slow_sweep)
    created = create_graph(
        api,
        {
            "name": "fan-out",
            "nodes": [node("step", STEP_THROUGH_ITEMS, items=list(range(400))), node("sink", STORE_VALUE)],
            "links": [link("step", "item", "sink", "input")],
        },
    )
    started = execute(api, created)

    _stop_when(api, created, started["id"], 40)
    assert in_flight.wait_idle(), "run_node never returned"

    run = get_run(api, created["id"], started["id"])
    assert run["status"] == "TERMINATED"
    assert [n["status"] for n in run["node_executions"] if n["status"] in UNFINISHED] == []
    [step] = [n for n in run["node_executions"] if n["block_id"] == STEP_THROUGH_ITEMS]
    assert step["status"] == "TERMINATED"
    assert len(step["output_data"]["item"]) < 400  # abandoned between outputs
