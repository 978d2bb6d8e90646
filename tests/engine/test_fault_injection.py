"""Faults injected into the graph-run Lambdas of the local cloud: every run still ends.

Each case makes ``plan``, ``run_node`` or ``finalize`` raise, or hang past its Task
timeout, on chosen calls. A fault the state machine's retry absorbs leaves the run
COMPLETED; one that persists takes the failure path and the run ends FAILED with the
cause. Either way no node execution is left QUEUED or RUNNING.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support.graphs import input_store_output_graph, node
from tests.support.runs import COUNTDOWN_TIMER, create_graph, execute, get_run, wait_for

TASK_TIMEOUT = 4  # seconds, for every Task of the local definition in these tests
UNFINISHED = ("QUEUED", "RUNNING")
HELD_GRAPH = {"name": "held", "nodes": [node("timer", COUNTDOWN_TIMER, seconds=0)], "links": []}


@dataclass
class Fault:
    """Replaces ``functions.graph_run.<module>.handler``; fails on the calls ``when`` picks."""

    module: str
    kind: str  # "raise" or "timeout"
    when: Callable[[int], bool]
    calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        target = importlib.import_module(f"functions.graph_run.{self.module}")
        real = target.handler

        def handler(event: dict[str, Any], context: Any) -> Any:
            with self.lock:
                self.calls += 1
                call = self.calls
            if self.when(call):
                if self.kind == "timeout":
                    time.sleep(TASK_TIMEOUT + 2)  # the Lambda "hangs"; Step Functions gives up first
                raise RuntimeError(f"injected fault in {self.module}")
            return real(event, context)

        monkeypatch.setattr(target, "handler", handler)


@pytest.fixture
def fault_api(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The local cloud with short Task timeouts (they are part of its definition)."""
    monkeypatch.setenv("GRAPH_RUN_TASK_TIMEOUT", str(TASK_TIMEOUT))
    yield request.getfixturevalue("api")


def once(n: int) -> Callable[[int], bool]:
    return lambda call: call == n


def from_call(n: int) -> Callable[[int], bool]:
    return lambda call: call >= n


CASES = [
    # (module, kind, when, status, stats.error)
    ("plan", "raise", once(1), "COMPLETED", None),
    ("plan", "raise", from_call(2), "FAILED", "RuntimeError: injected fault in plan"),
    ("plan", "timeout", once(2), "COMPLETED", None),
    ("run_node", "raise", once(1), "COMPLETED", None),
    (
        "run_node",
        "raise",
        from_call(1),
        "FAILED",
        "A batch of node executions failed, and so did recording its failure",
    ),
    (
        "run_node",
        "timeout",
        from_call(1),
        "FAILED",
        "A batch of node executions failed, and so did recording its failure",
    ),
    ("finalize", "raise", once(1), "COMPLETED", None),
    ("finalize", "timeout", once(1), "COMPLETED", None),
]


@pytest.mark.parametrize(
    ("module", "kind", "when", "status", "error"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)],
)
def test_a_fault_in_a_step_still_ends_the_run(fault_api, monkeypatch, module, kind, when, status, error):
    api = fault_api
    created = create_graph(api, input_store_output_graph())
    Fault(module, kind, when).install(monkeypatch)

    run = wait_for(api, created["id"], execute(api, created, {"x": "through"})["id"])

    assert run["status"] == status
    assert [n for n in run["node_executions"] if n["status"] in UNFINISHED] == []
    if status == "COMPLETED":
        assert run["outputs"] == {"y": ["through"]}
    else:
        assert run["stats"]["error"] == error


# ------------------------------------------------------------------ the reconciler


def _execution_arn(run_id: str) -> str:
    from agentplatform.engine.launcher import execution_arn

    return execution_arn(run_id)


def _wait_execution_over(run_id: str) -> str:
    from agentplatform.aws import client

    sfn = client("stepfunctions")
    deadline = time.monotonic() + 120
    while True:
        status = str(sfn.describe_execution(executionArn=_execution_arn(run_id))["status"])
        if status != "RUNNING":
            return status
        assert time.monotonic() < deadline, "the execution never ended"
        time.sleep(0.1)


def _reconcile() -> dict[str, Any]:
    from local.reconciler import ReconcilerTimer

    return ReconcilerTimer(interval_seconds=3600).run_once()


@pytest.fixture
def no_grace(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from agentplatform.config import get_settings

    monkeypatch.setenv("RECONCILE_GRACE_SECONDS", "0")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("RECONCILE_GRACE_SECONDS")
    get_settings.cache_clear()


def test_when_even_the_failure_path_fails_the_reconciler_ends_the_run(fault_api, monkeypatch, no_grace):
    api = fault_api
    created = create_graph(api, input_store_output_graph())
    Fault("finalize", "raise", from_call(1)).install(monkeypatch)
    started = execute(api, created, {"x": 1})

    assert _wait_execution_over(started["id"]) == "FAILED"
    assert get_run(api, created["id"], started["id"])["status"] == "RUNNING"
    report = _reconcile()

    run = get_run(api, created["id"], started["id"])
    assert run["status"] == "FAILED"
    assert run["stats"]["error"].startswith(
        f"The run's state machine execution {started['id']} ended FAILED before the run did: GraphRunFailed"
    )
    assert report["ended"] == {started["id"]: run["stats"]["error"]}
    assert [n for n in run["node_executions"] if n["status"] in UNFINISHED] == []


def test_the_reconciler_ends_a_run_whose_execution_was_deleted_behind_its_back(api, monkeypatch, no_grace):
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    from agentplatform.aws import client
    from tests.support.runs import HeldCountdown

    held = HeldCountdown(monkeypatch)
    created = create_graph(api, HELD_GRAPH)
    started = execute(api, created)
    held.wait_running(1)
    arn = _execution_arn(started["id"])
    client("stepfunctions").stop_execution(executionArn=arn)  # gone from under the platform:
    backend = stepfunctions_parser_backends["123456789012"]["us-east-1"]
    machine = backend.describe_state_machine_for_execution(arn)
    machine.executions = [e for e in machine.executions if e.execution_arn != arn]
    held.release.set()

    report = _reconcile()

    run = get_run(api, created["id"], started["id"])
    assert run["status"] == "FAILED"
    assert run["stats"]["error"] == (
        f"The run's state machine execution {started['id']} does not exist (it never started, or is gone)"
    )
    assert started["id"] in report["ended"]
    assert [n for n in run["node_executions"] if n["status"] in UNFINISHED] == []


def test_the_reconciler_ends_a_run_whose_execution_never_started(api, monkeypatch, no_grace):
    from agentplatform.engine import launcher

    created = create_graph(api, input_store_output_graph())
    with monkeypatch.context() as patched:
        patched.setattr(launcher, "start", lambda *args, **kwargs: None)  # lost on the way
        started = execute(api, created, {"x": 1})

    _reconcile()

    run = get_run(api, created["id"], started["id"])
    assert run["status"] == "FAILED"
    assert "does not exist" in run["stats"]["error"]
    assert [n["status"] for n in run["node_executions"]] == ["TERMINATED"]


def test_the_reconciler_leaves_runs_in_progress_alone(api, monkeypatch):
    from tests.support.runs import HeldCountdown

    held = HeldCountdown(monkeypatch)
    created = create_graph(api, HELD_GRAPH)
    running, fresh = execute(api, created), None
    held.wait_running(1)
    with monkeypatch.context() as patched:
        from agentplatform.engine import launcher

        patched.setattr(launcher, "start", lambda *args, **kwargs: None)
        fresh = execute(api, created)  # admitted a moment ago, its execution not yet there

    report = _reconcile()  # the default grace: a just-admitted run may still be starting

    assert report["ended"] == {}
    assert get_run(api, created["id"], running["id"])["status"] == "RUNNING"
    assert get_run(api, created["id"], fresh["id"])["status"] == "QUEUED"
    held.release.set()
    assert wait_for(api, created["id"], running["id"])["status"] == "COMPLETED"


def test_the_reconciler_hands_on_a_slot_whose_hand_off_was_lost(api):
    from agentplatform.store import keys
    from agentplatform.store.table import Table
    from tests.conftest import USER_ID

    created = create_graph(api, input_store_output_graph())
    slots = (keys.run_queue_pk(USER_ID, created["id"]), keys.RUN_SLOTS_SK)
    Table().update(*slots, "SET running = :n", values={":n": 25})  # every slot taken
    waiting = execute(api, created, {"x": 1})
    assert get_run(api, created["id"], waiting["id"])["status"] == "QUEUED"
    Table().update(*slots, "SET running = :n", values={":n": 0})  # freed, but nobody handed on

    report = _reconcile()

    assert report["lines"] == 1
    assert wait_for(api, created["id"], waiting["id"])["status"] == "COMPLETED"
