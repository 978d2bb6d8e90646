"""Running graphs through the executions API and waiting for them to finish."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from tests.support.api import ApiGatewayClient

FILL_TEXT_TEMPLATE = "db7d8f02-2f44-4c55-ab7a-eae0941f0c30"
FIND_IN_DICTIONARY = "0e50422c-6dee-4145-83d6-3a5a392f65de"
CALCULATOR = "b1ab9b19-67a6-406d-abf5-2dba76d00c79"
GET_LIST_ITEM = "262ca24c-1025-43cf-a578-534e23234e97"
STEP_THROUGH_ITEMS = "f66a3543-28d3-4ab5-8945-9b336371e2ce"
CONDITION = "715696a0-e1da-45c8-b209-c2fa9c3b0be6"
COUNTDOWN_TIMER = "d67a9c52-5e4e-11e2-bcfd-0800200c9a71"
AGENT_EXECUTOR = "e189baac-8c20-45a1-94a7-55177ea42565"
PERSIST = "1d055e55-a2b9-4547-8311-907d05b0304d"
RETRIEVE = "d8710fc9-6e29-481e-a7d5-165eb16f8471"

FINISHED = ("COMPLETED", "FAILED", "TERMINATED")
# A ceiling on waiting, not an assertion on speed: a run that never ends fails the test.
WAIT_LIMIT_SECONDS = 120.0


def create_graph(api: ApiGatewayClient, graph: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/api/graphs", json_body={"graph": graph})
    assert response.status_code == 200, response.content
    return response.json()


def execute(
    api: ApiGatewayClient, graph: dict[str, Any], inputs: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = api.post(
        f"/api/graphs/{graph['id']}/execute/{graph['version']}", json_body={"inputs": inputs or {}}
    )
    assert response.status_code == 200, response.content
    return response.json()


def get_run(api: ApiGatewayClient, graph_id: str, exec_id: str) -> dict[str, Any]:
    response = api.get(f"/api/graphs/{graph_id}/executions/{exec_id}")
    assert response.status_code == 200, response.content
    return response.json()


def wait_for(api: ApiGatewayClient, graph_id: str, exec_id: str, until: Any = None) -> dict[str, Any]:
    """Poll the run until ``until(run)`` (default: a terminal status) holds."""
    check = until or (lambda run: run["status"] in FINISHED)
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    while True:
        run = get_run(api, graph_id, exec_id)
        if check(run):
            return run
        if time.monotonic() > deadline:
            raise AssertionError(f"run {exec_id} did not get there: {run['status']}")
        time.sleep(0.05)


def run_graph(
    api: ApiGatewayClient, graph: dict[str, Any], inputs: dict[str, Any] | None = None
) -> dict[str, Any]:
    created = create_graph(api, graph)
    started = execute(api, created, inputs)
    return wait_for(api, created["id"], started["id"])


def by_node(run: dict[str, Any], graph: dict[str, Any], node_id: str) -> list[dict[str, Any]]:
    """Node executions of the submitted node ``node_id`` (ids are re-minted on create)."""
    return [n for n in run["node_executions"] if n["node_id"] == node_id]


def node_ids(created: dict[str, Any]) -> dict[str, str]:
    """Map the submitted node order to the stored (re-minted) ids."""
    return {str(index): node["id"] for index, node in enumerate(created["nodes"])}


class HeldCountdown:
    """CountdownTimer blocks until released, counting how many run at once (the most too)."""

    def __init__(self, monkeypatch: Any):
        import threading

        from agentplatform.blocks.registry import get_block

        self.release = threading.Event()
        self.lock = threading.Condition()
        self.running = 0
        self.most = 0
        held = self

        async def run(self: Any, input_data: Any, **kwargs: Any) -> Any:
            with held.lock:
                held.running += 1
                held.most = max(held.most, held.running)
                held.lock.notify_all()
            try:
                held.release.wait(WAIT_LIMIT_SECONDS)
            finally:
                with held.lock:
                    held.running -= 1
            yield "output_message", "timer done"

        monkeypatch.setattr(type(get_block(COUNTDOWN_TIMER)), "run", run)
        # Each held block keeps its Lambda invocation open: lift the local cloud's
        # invocation limit (LOCAL_LAMBDA_CONCURRENCY) so held runs cannot starve the rest.
        monkeypatch.setattr("local.stepfunctions._concurrency", threading.BoundedSemaphore(1_000))

    def wait_running(self, count: int) -> None:
        with self.lock:
            assert self.lock.wait_for(lambda: self.running >= count, WAIT_LIMIT_SECONDS), self.running


class InFlight:
    """Counts run_node invocations under way, so a caller can wait for them to return.

    ``patch`` installs the counting handler: ``monkeypatch.setattr`` in a test (undone
    after it), plain ``setattr`` in a bench."""

    def __init__(self, patch: Callable[[Any, str, Any], None] = setattr):
        import functions.graph_run.run_node as handler_module

        self.count = 0
        self.idle = threading.Condition()
        real = handler_module.run_batch

        def counted(*args: Any, **kwargs: Any) -> Any:
            with self.idle:
                self.count += 1
            try:
                return real(*args, **kwargs)
            finally:
                with self.idle:
                    self.count -= 1
                    self.idle.notify_all()

        patch(handler_module, "run_batch", counted)

    def wait_idle(self, timeout: float = WAIT_LIMIT_SECONDS) -> bool:
        """True once no invocation is under way; False if one still is after ``timeout``."""
        with self.idle:
            return self.idle.wait_for(lambda: self.count == 0, timeout=timeout)
