"""The graph-run definition: every state that can fail is bounded and caught."""

from __future__ import annotations

from typing import Any

from infra_cdk.graph_run_asl import EXECUTION_TIMEOUT_MARGIN, TASK_TIMEOUT_MARGIN, definition


def _states(states: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = dict(states)
    for state in states.values():
        if state["Type"] == "Map":
            found.update(_states(state["ItemProcessor"]["States"]))
    return found


def test_every_task_and_map_has_a_catch_and_every_task_a_timeout():
    asl = definition(10, run_node_timeout=300, run_timeout=3600)
    states = _states(asl["States"])
    fallible = {name: s for name, s in states.items() if s["Type"] in ("Task", "Map")}
    assert sorted(fallible) == ["FailBatch", "FailRun", "Finalize", "Plan", "RunBatch", "RunNodes"]
    for name, state in fallible.items():
        assert state["Catch"][0]["ErrorEquals"] == ["States.ALL"], name
        if state["Type"] == "Task":
            assert state["TimeoutSeconds"] > 0, name
    assert states["RunBatch"]["TimeoutSeconds"] == 300 + TASK_TIMEOUT_MARGIN
    assert asl["TimeoutSeconds"] == 3600 + EXECUTION_TIMEOUT_MARGIN


def test_failures_lead_to_the_failure_path_which_ends_the_execution_failed():
    states = _states(definition(10)["States"])
    for name in ("Plan", "RunNodes", "Finalize"):
        assert states[name]["Catch"] == [
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "FailRun"}
        ]
    assert states["FailRun"]["Parameters"]["Payload"] == {"run.$": "$.run", "error.$": "$.error"}
    assert states["FailRun"]["Next"] == "RunFailed" and states["FailRun"]["Catch"][0]["Next"] == "RunFailed"
    assert states["RunFailed"]["Type"] == "Fail"
    assert {"Variable": "$.action", "StringEquals": "fail", "Next": "FailRun"} in states["Route"]["Choices"]
    assert states["FailBatch"]["Catch"][0]["Next"] == "BatchLost"
    assert states["BatchLost"]["Result"]["lost"] is True


def test_plan_gets_the_run_deadline():
    plan = definition(4, run_timeout=120)["States"]["Plan"]
    assert plan["Parameters"]["Payload"]["timeout_seconds"] == 120
