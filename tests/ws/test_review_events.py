"""Every transition of a run paused for human review reaches its WebSocket subscribers."""

from __future__ import annotations

import os
from typing import Any

import httpx

from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, link, node
from tests.ws.support import Client

os.environ.setdefault("GRAPH_RUN_RETRY_INTERVAL", "1")
os.environ.setdefault("GRAPH_RUN_POLL_SECONDS", "1")
os.environ.setdefault("GRAPH_RUN_MAX_CONCURRENCY", "4")

HITL = "8b2a7b3c-6e9d-4a5f-8c1b-2e3f4a5b6c7d"


def _until_run_status(client: Client, wanted: str, seen: list[dict[str, Any]]) -> None:
    while True:
        message = client.recv()
        seen.append(message)
        if message["method"] == "graph_execution_event" and message["data"]["status"] == wanted:
            return


def test_pause_and_resume_are_streamed_as_run_and_node_events(ws_server, user_token):
    graph = {
        "name": "ws review",
        "nodes": [
            node("in", AGENT_INPUT, name="x"),
            node("review", HITL, name="Answer"),
            node("out", AGENT_OUTPUT, name="approved"),
        ],
        "links": [link("in", "result", "review", "data"), link("review", "approved_data", "out", "value")],
    }
    headers = {"authorization": f"Bearer {user_token}"}
    base = f"http://127.0.0.1:{ws_server.port}"
    seen: list[dict[str, Any]] = []
    with (
        httpx.Client(base_url=base, headers=headers, timeout=60) as http,
        Client(ws_server.url(user_token)) as ws,
    ):
        created = http.post("/api/graphs", json={"graph": graph}).json()
        run_id = http.post(f"/api/graphs/{created['id']}/execute/1", json={"inputs": {"x": 1}}).json()["id"]
        ws.subscribe(run_id, since_seq=0)  # replays what it missed, then live
        _until_run_status(ws, "REVIEW", seen)
        (review,) = http.get(f"/api/review/execution/{run_id}").json()
        action = {"reviews": [{"node_exec_id": review["node_exec_id"], "approved": True}]}
        assert http.post("/api/review/action", json=action).status_code == 200
        _until_run_status(ws, "COMPLETED", seen)

    ordered = sorted(seen, key=lambda m: m["seq"])  # replayed and live events may interleave
    run_statuses = [m["data"]["status"] for m in ordered if m["method"] == "graph_execution_event"]
    assert run_statuses[run_statuses.index("REVIEW") :] == ["REVIEW", "RUNNING", "COMPLETED"]
    node_statuses = [
        m["data"]["status"]
        for m in ordered
        if m["method"] == "node_execution_event" and m["data"]["node_exec_id"] == review["node_exec_id"]
    ]
    assert node_statuses[node_statuses.index("REVIEW") :] == ["REVIEW", "QUEUED", "RUNNING", "COMPLETED"]
