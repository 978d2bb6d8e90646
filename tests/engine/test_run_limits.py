"""Every run ends: a node-execution budget and a run deadline end a runaway run FAILED."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.graphs import AGENT_INPUT, STORE_VALUE, link, node
from tests.support.runs import COUNTDOWN_TIMER, create_graph, execute, wait_for

UNFINISHED = ("QUEUED", "RUNNING")


def _runaway() -> dict[str, Any]:
    """input -> a -> b -> a ...: every execution of ``a`` feeds ``b``, which feeds ``a`` again."""
    return {
        "name": "runaway",
        "nodes": [node("in", AGENT_INPUT, name="x"), node("a", STORE_VALUE), node("b", STORE_VALUE)],
        "links": [
            link("in", "result", "a", "input"),
            link("a", "output", "b", "input"),
            link("b", "output", "a", "input"),
        ],
    }


@pytest.fixture
def node_budget(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    from agentplatform.config import get_settings

    monkeypatch.setenv("MAX_NODE_EXECUTIONS_PER_RUN", "30")
    get_settings.cache_clear()
    yield 30
    monkeypatch.undo()
    get_settings.cache_clear()


def test_a_runaway_cycle_ends_failed_when_its_node_budget_is_spent(node_budget, api):
    created = create_graph(api, _runaway())
    run = wait_for(api, created["id"], execute(api, created, {"x": "again"})["id"])

    assert run["status"] == "FAILED"
    assert run["stats"]["error"] == (
        "The run reached its limit of 30 node executions (MAX_NODE_EXECUTIONS_PER_RUN) with more still queued"
    )
    started = [n for n in run["node_executions"] if n["start_time"] is not None]
    assert len(started) == node_budget
    assert [n for n in run["node_executions"] if n["status"] in UNFINISHED] == []
    assert {n["status"] for n in run["node_executions"]} == {"COMPLETED", "TERMINATED"}


def test_a_run_within_its_budget_is_untouched(node_budget, api):
    chain = {
        "name": "chain of 20",
        "nodes": [node(f"n{i}", STORE_VALUE, **({"input": 1} if i == 0 else {})) for i in range(20)],
        "links": [link(f"n{i}", "output", f"n{i + 1}", "input") for i in range(19)],
    }
    created = create_graph(api, chain)
    run = wait_for(api, created["id"], execute(api, created)["id"])

    assert run["status"] == "COMPLETED"
    assert len(run["node_executions"]) == 20


@pytest.fixture
def run_deadline(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Any:
    """The local cloud with a 2-second run deadline (it is part of the definition)."""
    monkeypatch.setenv("GRAPH_RUN_TIMEOUT_SECONDS", "2")
    return request.getfixturevalue("api")


def test_a_run_past_its_deadline_ends_failed_naming_it(run_deadline):
    api = run_deadline
    chain = {
        "name": "slow chain",
        "nodes": [node(f"t{i}", COUNTDOWN_TIMER, seconds=1) for i in range(6)],
        "links": [link(f"t{i}", "output_message", f"t{i + 1}", "input_message") for i in range(5)],
    }
    created = create_graph(api, chain)
    run = wait_for(api, created["id"], execute(api, created)["id"])

    assert run["status"] == "FAILED"
    assert run["stats"]["error"] == "The run exceeded its time limit of 2 seconds"
    assert [n for n in run["node_executions"] if n["status"] in UNFINISHED] == []
    assert len(run["node_executions"]) < 6
