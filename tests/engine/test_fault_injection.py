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

from tests.support.graphs import input_store_output_graph
from tests.support.runs import create_graph, execute, wait_for

TASK_TIMEOUT = 4  # seconds, for every Task of the local definition in these tests
UNFINISHED = ("QUEUED", "RUNNING")


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
