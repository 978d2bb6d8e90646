"""A run waiting for human review survives a restart of the local cloud: nothing of it
lives in the state machine while it waits, so the review resumes it afterwards."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, link, node

pytestmark = pytest.mark.e2e

HITL = "8b2a7b3c-6e9d-4a5f-8c1b-2e3f4a5b6c7d"
WAIT_LIMIT_SECONDS = 120.0


def _wait_status(http: httpx.Client, graph_id: str, run_id: str, wanted: set[str]) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    while True:
        run = http.get(f"/api/graphs/{graph_id}/executions/{run_id}").json()
        if run["status"] in wanted:
            return dict(run)
        assert time.monotonic() < deadline, run["status"]
        time.sleep(0.1)


def test_a_run_in_review_resumes_after_a_restart(dev_server, token):
    graph = {
        "name": "Reviewed",
        "nodes": [
            node("in", AGENT_INPUT, name="x"),
            node("review", HITL, name="Answer"),
            node("out", AGENT_OUTPUT, name="approved"),
        ],
        "links": [link("in", "result", "review", "data"), link("review", "approved_data", "out", "value")],
    }
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=dev_server.base_url, headers=headers, timeout=30) as http:
        created = http.post("/api/graphs", json={"graph": graph}).json()
        run = http.post(f"/api/graphs/{created['id']}/execute/1", json={"inputs": {"x": 42}}).json()
        assert (
            _wait_status(http, created["id"], run["id"], {"REVIEW", "COMPLETED", "FAILED"})["status"]
            == "REVIEW"
        )

    dev_server.stop()
    dev_server.start()

    with httpx.Client(base_url=dev_server.base_url, headers=headers, timeout=30) as http:
        assert http.get(f"/api/graphs/{created['id']}/executions/{run['id']}").json()["status"] == "REVIEW"
        (review,) = http.get(f"/api/review/execution/{run['id']}").json()
        action = {
            "reviews": [{"node_exec_id": review["node_exec_id"], "approved": True, "reviewed_data": 43}]
        }
        assert http.post("/api/review/action", json=action).json()["approved_count"] == 1
        done = _wait_status(http, created["id"], run["id"], {"COMPLETED", "FAILED", "TERMINATED"})
    assert done["status"] == "COMPLETED"
    assert done["outputs"] == {"approved": [43]}
