"""A SIGKILL loses nothing that was acknowledged, and leaves no run RUNNING for ever."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import E2E_SECRET, DevServer
from tests.support.graphs import input_store_output_graph

pytestmark = pytest.mark.e2e

ONE_MEGABYTE = 1024 * 1024
# A ceiling on waiting for the kernel to end the orphaned engine, not a speed assertion.
_ENGINE_EXIT_LIMIT_SECONDS = 30.0


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + _ENGINE_EXIT_LIMIT_SECONDS
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def _crash_and_restart(server: DevServer) -> None:
    engine = server.engine_pid()
    server.kill()
    assert _gone(engine), "DynamoDB Local outlived the killed local cloud"
    server.start()


def test_acknowledged_graph_and_run_survive_sigkill(tmp_path: Path):
    from local.tokens import mint

    server = DevServer(tmp_path)
    headers = {"Authorization": f"Bearer {mint(E2E_SECRET)}"}
    big = "x" * ONE_MEGABYTE
    server.start()
    try:
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as http:
            created = http.post("/api/graphs", json={"graph": input_store_output_graph()})
            assert created.status_code == 200, created.text
            graph = created.json()
            started = http.post(f"/api/graphs/{graph['id']}/execute/1", json={"inputs": {"x": big}})
            assert started.status_code == 200, started.text
            run_id = started.json()["id"]
        _crash_and_restart(server)  # both answered 200 a moment ago

        with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as http:
            assert http.get(f"/api/graphs/{graph['id']}").json() == graph
            detail = http.get(f"/api/graphs/{graph['id']}/executions/{run_id}")
            assert detail.status_code == 200, detail.text
            run = detail.json()
            listed = http.get("/api/executions")
            assert listed.status_code == 200, listed.text
    finally:
        server.stop()

    assert run["inputs"] == {"x": big}
    # Ended by the restart (its execution died with the process), or finished before it.
    assert run["status"] in ("TERMINATED", "COMPLETED")
    assert all(node["status"] not in ("QUEUED", "RUNNING") for node in run["node_executions"])
    assert [(r["id"], r["status"]) for r in listed.json()] == [(run_id, run["status"])]
