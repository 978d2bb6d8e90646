"""``plan`` as Step Functions invokes it: batching, retries, waiting, continue-as-new."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import USER_ID
from tests.support.graphs import input_store_output_graph
from tests.support.runs import create_graph, execute


def test_chunk_keeps_order_and_never_makes_more_batches_than_allowed():
    from agentplatform.engine.planner import chunk

    ids = [str(i) for i in range(10)]
    assert chunk(ids, 4) == [["0", "1", "2"], ["3", "4", "5"], ["6", "7"], ["8", "9"]]
    assert chunk(ids[:2], 10) == [["0"], ["1"]]
    assert chunk(ids[:1], 1) == [["0"]]


def _queued_run(api: Any, monkeypatch: Any) -> dict[str, Any]:
    from agentplatform.engine import launcher

    started: list[dict[str, Any]] = []
    monkeypatch.setattr(
        launcher, "start", lambda run, part=0, results=None: started.append({**run, "part": part})
    )
    graph = create_graph(api, input_store_output_graph())
    execute(api, graph, {"x": 1})
    return started[0]


def _plan(run: dict[str, Any], results: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    from functions.graph_run.plan import handler
    from local.lambdas import invoke

    return invoke(handler, {"run": run, "results": results or [], "max_batches": 4})  # type: ignore[no-any-return]


def test_a_retried_first_plan_still_runs_the_starting_nodes(api, monkeypatch):
    run = _queued_run(api, monkeypatch)

    first = _plan(run)
    retried = _plan(run)  # Step Functions retried Plan after the first attempt wrote RUNNING

    assert first["action"] == retried["action"] == "run"
    assert first["batches"] == retried["batches"] and len(first["batches"][0]) == 1
    assert first["results"] == [] and first["run"]["started"] is True


def test_plan_polls_while_only_sub_graph_runs_are_outstanding_and_finalizes_after(api, monkeypatch):
    run = _queued_run(api, monkeypatch)
    first = _plan(run)
    [node_exec_id] = first["batches"][0]

    waiting = _plan(first["run"], [{"queued": [], "waiting": [node_exec_id]}])
    assert waiting["action"] == "wait" and waiting["run"]["waiting"] == [node_exec_id]

    from agentplatform.models.execution import ExecutionStatus
    from agentplatform.store.executions import ExecutionRepository, RunRef

    ref = RunRef(USER_ID, run["graph_exec_id"])
    ExecutionRepository().set_node_status(ref, node_exec_id, ExecutionStatus.FAILED)
    done = _plan(waiting["run"])
    assert done["action"] == "finalize" and done["run"]["waiting"] == []


def test_plan_continues_as_new_past_the_history_budget(api, monkeypatch):
    from agentplatform.engine import launcher, planner

    run = _queued_run(api, monkeypatch)
    first = _plan(run)
    continued: list[tuple[dict[str, Any], int]] = []
    monkeypatch.setattr(launcher, "start", lambda r, part=0, results=None: continued.append((r, part)))
    spent = {**first["run"], "events": planner.HISTORY_LIMIT - planner.HISTORY_RESERVE}

    answer = _plan(spent, [{"queued": ["a", "b"], "waiting": []}])

    assert answer["action"] == "continued"
    [(successor, part)] = continued
    assert part == 1
    assert successor["pending"] == ["a", "b"] and successor["events"] == 0 and successor["part"] == 1


def test_plan_runs_other_work_while_a_node_awaits_review_and_then_pauses_the_run(api, monkeypatch):
    from agentplatform.store.executions import ExecutionRepository, RunRef

    run = _queued_run(api, monkeypatch)
    first = _plan(run)
    [node_exec_id] = first["batches"][0]

    more = _plan(first["run"], [{"queued": [node_exec_id], "waiting": [], "reviewing": ["paused-node"]}])
    assert more["action"] == "run" and more["run"]["reviewing"] == ["paused-node"]

    paused = _plan(more["run"], [{"queued": [], "waiting": []}])
    assert paused["action"] == "paused"
    stored = ExecutionRepository().get_run(RunRef(USER_ID, run["graph_exec_id"]))
    assert stored is not None and stored["status"] == "REVIEW"
    assert "gsi3pk" not in stored  # nothing for the reconciler to check while it waits
    assert "reviewing" not in json.loads(stored["paused"])
