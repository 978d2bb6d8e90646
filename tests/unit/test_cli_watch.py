"""The CLI's view of a run from its events, whichever order the replay and the live
events arrive in (cli/watch.py)."""

from __future__ import annotations

from typing import Any

from cli.watch import RunState

RUN = "run-1"


def _node(seq: int, node_exec_id: str, status: str) -> dict[str, Any]:
    data = {"node_exec_id": node_exec_id, "node_id": node_exec_id, "block_id": "b", "status": status}
    return {"method": "node_execution_event", "seq": seq, "data": data}


def _run(seq: int, status: str) -> dict[str, Any]:
    return {"method": "graph_execution_event", "seq": seq, "data": {"id": RUN, "status": status}}


def test_live_events_ahead_of_the_replay_lose_nothing_and_are_not_undone():
    state = RunState(RUN)
    live = [_node(5, "b", "COMPLETED"), _run(6, "COMPLETED")]
    replay = [
        _run(1, "RUNNING"),
        _node(2, "a", "RUNNING"),
        _node(3, "a", "COMPLETED"),
        _node(4, "b", "RUNNING"),
    ]
    applied = [state.apply(message) for message in live + replay]
    # the run's RUNNING and b's RUNNING are older news than what arrived live
    assert applied == [True, True, False, True, True, False]
    assert state.status == "COMPLETED" and state.finished
    assert {n: node.status for n, node in state.nodes.items()} == {"a": "COMPLETED", "b": "COMPLETED"}
    assert state.last_seq == 6


def test_a_repeated_event_is_applied_once():
    state = RunState(RUN)
    assert state.apply(_node(1, "a", "RUNNING")) is True
    assert state.apply(_node(1, "a", "RUNNING")) is False
