"""The per-(user, graph) cap (spec §3.7): runs over it wait QUEUED and start in order."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.graphs import STORE_VALUE, link, node
from tests.support.runs import (
    AGENT_EXECUTOR,
    COUNTDOWN_TIMER,
    FINISHED,
    WAIT_LIMIT_SECONDS,
    HeldCountdown,
    create_graph,
    execute,
    get_run,
    wait_for,
)

HELD_GRAPH = {"name": "held", "nodes": [node("timer", COUNTDOWN_TIMER, seconds=0)], "links": []}


@pytest.fixture(autouse=True)
def lambda_concurrency_above_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each held run occupies one local Lambda invocation until released: the local
    cloud's limit (``LOCAL_LAMBDA_CONCURRENCY``, 4) must not be what caps them here."""
    from local import stepfunctions

    monkeypatch.setattr(stepfunctions, "_concurrency", threading.BoundedSemaphore(64))


class RunningCount:
    """Counts runs RUNNING in the table at every transition into and out of RUNNING."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        from agentplatform.store.executions import ExecutionRepository

        self.lock = threading.Lock()
        self.now = 0
        self.most = 0
        start, end = ExecutionRepository.set_run_status_from, ExecutionRepository.end_run
        count = self

        def started(self: Any, ref: Any, current: Any, target: Any, **fields: Any) -> Any:
            with count.lock:  # held across the write: no end can be counted before its start
                item = start(self, ref, current, target, **fields)
                if item is not None and target.value == "RUNNING":
                    count.now += 1
                    count.most = max(count.most, count.now)
            return item

        def ended(self: Any, ref: Any, target: Any, current: Any = None, **fields: Any) -> Any:
            before = (current or self.get_run(ref, include_deleted=True) or {}).get("status")
            with count.lock:
                item = end(self, ref, target, current, **fields)
                if item is not None and before == "RUNNING":
                    count.now -= 1
            return item

        monkeypatch.setattr(ExecutionRepository, "set_run_status_from", started)
        monkeypatch.setattr(ExecutionRepository, "end_run", ended)


def _wait_all_finished(api: Any, graph_id: str, count: int) -> dict[str, str]:
    """One listing per poll (not a read per run): waiting must not slow the runs down."""
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    while True:
        statuses = _statuses(api, graph_id)
        if len(statuses) == count and all(status in FINISHED for status in statuses.values()):
            return statuses
        assert time.monotonic() < deadline, statuses
        time.sleep(0.25)


def _statuses(api: Any, graph_id: str) -> dict[str, str]:
    page = api.get(f"/api/graphs/{graph_id}/executions", params={"page_size": 100}).json()
    return {run["id"]: run["status"] for run in page["executions"]}


def test_sixty_runs_with_the_cap_at_25_never_run_more_than_25_and_all_complete(api, monkeypatch):
    held, running = HeldCountdown(monkeypatch), RunningCount(monkeypatch)
    created = create_graph(api, HELD_GRAPH)

    ids = [execute(api, created)["id"] for _ in range(60)]
    held.wait_running(25)

    statuses = _statuses(api, created["id"])
    assert sorted(statuses.values()).count("RUNNING") == 25
    assert sorted(statuses.values()).count("QUEUED") == 35
    assert [statuses[i] for i in ids[:25]] == ["RUNNING"] * 25  # first come, first admitted
    held.release.set()
    finished = _wait_all_finished(api, created["id"], len(ids))

    assert [finished[run_id] for run_id in ids] == ["COMPLETED"] * 60
    assert running.most == 25 and held.most == 25
    admitted = [_launched_at(run_id) for run_id in ids]
    assert admitted[25:] == sorted(admitted[25:])  # the waiting ones were admitted in order
    assert max(admitted[:25]) < min(admitted[25:])


def _launched_at(run_id: str) -> str:
    from agentplatform.store.executions import ExecutionRepository, RunRef
    from tests.conftest import USER_ID

    run = ExecutionRepository().get_run(RunRef(USER_ID, run_id))
    assert run is not None
    return str(run["launched_at"])


@pytest.fixture
def cap_of_two(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    from agentplatform.config import get_settings

    monkeypatch.setenv("MAX_CONCURRENT_GRAPH_EXECUTIONS_PER_USER", "2")
    get_settings.cache_clear()
    yield 2
    monkeypatch.delenv("MAX_CONCURRENT_GRAPH_EXECUTIONS_PER_USER")
    get_settings.cache_clear()


def test_a_stopped_waiting_run_never_starts_and_frees_no_slot(cap_of_two, api, monkeypatch):
    held = HeldCountdown(monkeypatch)
    created = create_graph(api, HELD_GRAPH)
    first, second, waiting, last = (execute(api, created)["id"] for _ in range(4))
    held.wait_running(2)

    stop = api.post(f"/api/graphs/{created['id']}/executions/{waiting}/stop")

    assert stop.status_code == 200 and stop.json()["status"] == "QUEUED"
    assert _statuses(api, created["id"]) == {
        first: "RUNNING",
        second: "RUNNING",
        waiting: "TERMINATED",
        last: "QUEUED",
    }
    held.release.set()
    assert wait_for(api, created["id"], last)["status"] == "COMPLETED"
    stopped = get_run(api, created["id"], waiting)
    assert stopped["started_at"] is None
    assert [n["status"] for n in stopped["node_executions"]] == ["TERMINATED"]


def test_another_users_runs_and_another_graph_have_their_own_slots(cap_of_two, api, other_api, monkeypatch):
    held = HeldCountdown(monkeypatch)
    mine, theirs = create_graph(api, HELD_GRAPH), create_graph(other_api, HELD_GRAPH)
    other_graph = create_graph(api, {**HELD_GRAPH, "name": "held too"})
    for _ in range(2):
        execute(api, mine)
        execute(other_api, theirs)
        execute(api, other_graph)
    held.wait_running(6)
    held.release.set()
    assert held.most == 6


def test_sub_graph_runs_take_no_slot(cap_of_two, api):
    """A child waiting for a slot its own ancestors hold could never start."""
    from agentplatform.store import keys
    from agentplatform.store.table import Table
    from tests.conftest import USER_ID
    from tests.support.graphs import input_store_output_graph

    child = create_graph(api, input_store_output_graph("child"))
    # Every slot of the child graph is taken (say, by runs of it that wait on this one).
    Table().update(
        keys.run_queue_pk(USER_ID, child["id"]), keys.RUN_SLOTS_SK, "SET running = :n", values={":n": 2}
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
                    inputs={"x": "via the child"},
                    input_schema=child["input_schema"],
                    output_schema=child["output_schema"],
                ),
                node("after", STORE_VALUE),
            ],
            "links": [link("agent", "y", "after", "input")],
        },
    )

    top_level = execute(api, child, {"x": "waits"})
    run = wait_for(api, parent["id"], execute(api, parent)["id"])

    assert run["status"] == "COMPLETED"
    [after] = [n for n in run["node_executions"] if n["block_id"] == STORE_VALUE]
    assert after["output_data"] == {"output": ["via the child"]}
    assert get_run(api, child["id"], top_level["id"])["status"] == "QUEUED"
