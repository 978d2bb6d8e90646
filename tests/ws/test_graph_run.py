"""A real run (REST execute -> Step Functions -> Lambdas) watched over the WebSocket."""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any

import httpx

from tests.conftest import USER_ID
from tests.support.graphs import AGENT_INPUT, STORE_VALUE, input_store_output_graph, link, node
from tests.support.runs import FILL_TEXT_TEMPLATE
from tests.ws.support import Client

# moto's interpreter really sleeps on Wait and Retry: keep them short.
os.environ.setdefault("GRAPH_RUN_RETRY_INTERVAL", "1")
os.environ.setdefault("GRAPH_RUN_POLL_SECONDS", "1")
os.environ.setdefault("GRAPH_RUN_MAX_CONCURRENCY", "4")


def _http(ws_server: Any, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"http://127.0.0.1:{ws_server.port}",
        headers={"authorization": f"Bearer {token}"},
        timeout=60,
    )


def _start(http: httpx.Client, graph: dict[str, Any], inputs: dict[str, Any]) -> tuple[dict[str, Any], str]:
    created = http.post("/api/graphs", json={"graph": graph})
    assert created.status_code == 200, created.text
    body = created.json()
    started = http.post(f"/api/graphs/{body['id']}/execute/{body['version']}", json={"inputs": inputs})
    assert started.status_code == 200, started.text
    return body, started.json()["id"]


def _until_completed(client: Client, graph_exec_id: str, replayed: bool = False) -> list[dict[str, Any]]:
    """Messages up to the run's terminal event; with ``replayed``, also every earlier seq,
    since replayed and live events may interleave at the seam (docs/websocket.md)."""
    received: list[dict[str, Any]] = []
    last_seq: int | None = None
    while last_seq is None or (replayed and len({m["seq"] for m in received}) < last_seq):
        message = client.recv()
        received.append(message)
        data = message["data"]
        if message["method"] == "graph_execution_event" and data["status"] in ("COMPLETED", "FAILED"):
            assert data["id"] == graph_exec_id
            last_seq = message["seq"]
    return received


def test_a_running_graph_streams_queued_running_completed_and_every_node_event(ws_server, user_token):
    graph = {
        "name": "ws run",
        "nodes": [
            node("n0", AGENT_INPUT, name="input_1"),
            node("n1", AGENT_INPUT, name="input_2"),
            node("n2", FILL_TEXT_TEMPLATE, format="{{a}}, {{b}}{{c}}", **{"values_#_c": "!!!"}),
            node("n3", STORE_VALUE),
        ],
        "links": [
            link("n0", "result", "n2", "values_#_a"),
            link("n1", "result", "n2", "values_#_b"),
            link("n2", "output", "n3", "input"),
        ],
    }
    with _http(ws_server, user_token) as http, Client(ws_server.url(user_token)) as watcher:
        created = http.post("/api/graphs", json={"graph": graph}).json()
        # Subscribed before the run exists: graph events arrive live, in order.
        watcher.subscribe_graph(created["id"])
        started = http.post(
            f"/api/graphs/{created['id']}/execute/{created['version']}",
            json={"inputs": {"input_1": "Hello", "input_2": "World"}},
        )
        graph_exec_id = started.json()["id"]
        # Subscribed once the id is known: since_seq=0 replays what it missed, then live.
        with Client(ws_server.url(user_token)) as follower:
            follower.subscribe(graph_exec_id, since_seq=0)
            from_follower = _until_completed(follower, graph_exec_id, replayed=True)
            assert follower.ping()["data"] == "pong"  # and nothing after the end
        from_watcher = _until_completed(watcher, graph_exec_id)
        rest = http.get(f"/api/graphs/{created['id']}/executions/{graph_exec_id}").json()

    assert [m["data"]["status"] for m in from_watcher] == ["QUEUED", "RUNNING", "COMPLETED"]
    events = sorted(from_follower, key=lambda m: m["seq"])
    assert [m["seq"] for m in events] == list(range(1, len(events) + 1))  # each event once, none missing
    graph_statuses = [m["data"]["status"] for m in events if m["method"] == "graph_execution_event"]
    assert graph_statuses == ["QUEUED", "RUNNING", "COMPLETED"]
    assert {m["seq"] for m in from_watcher} <= {m["seq"] for m in events}

    per_node: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for message in events:
        if message["method"] == "node_execution_event":
            per_node[message["data"]["node_exec_id"]].append(message["data"])
    assert set(per_node) == {n["node_exec_id"] for n in rest["node_executions"]}
    for final in rest["node_executions"]:
        history = per_node[final["node_exec_id"]]
        statuses = [h["status"] for h in history]
        assert statuses[-1] == "COMPLETED" and "RUNNING" in statuses
        assert statuses.index("RUNNING") < len(statuses) - 1
        assert history[-1]["output_data"] == final["output_data"]
        assert history[-1]["input_data"] == final["input_data"]
    template = next(n for n in rest["node_executions"] if n["block_id"] == FILL_TEXT_TEMPLATE)
    assert per_node[template["node_exec_id"]][-1]["output_data"] == {"output": ["Hello, World!!!"]}
    assert events[-1]["data"]["user_id"] == USER_ID


def test_graph_outputs_arrive_with_the_completed_event(ws_server, user_token):
    with _http(ws_server, user_token) as http, Client(ws_server.url(user_token)) as client:
        _, graph_exec_id = _start(http, input_store_output_graph(), {"x": "echo me"})
        client.subscribe(graph_exec_id, since_seq=0)
        messages = _until_completed(client, graph_exec_id)
    assert messages[-1]["data"]["outputs"] == {"y": ["echo me"]}
    assert messages[-1]["data"]["inputs"] == {"x": "echo me"}
