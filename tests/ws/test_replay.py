"""Beyond upstream: ``since_seq`` replays what a client missed, each event exactly once."""

from __future__ import annotations

import threading
import time
from typing import Any

from tests.conftest import USER_ID
from tests.ws.support import Client, RunWriter

# A ceiling on waiting for the events Lambda, not an assertion on its speed.
_WAIT_LIMIT_SECONDS = 60.0


def _wait_for_head(run: RunWriter, seq: int) -> None:
    from agentplatform.store.event_log import EventLog

    deadline = time.monotonic() + _WAIT_LIMIT_SECONDS
    while EventLog().head(run.user_id, run.graph_exec_id) < seq:
        assert time.monotonic() < deadline, "events were never sequenced"
        time.sleep(0.02)


def _events(client: Client, count: int) -> list[dict[str, Any]]:
    return [client.recv() for _ in range(count)]


def test_reconnecting_with_since_seq_delivers_each_missed_event_once(ws_server, user_token):
    run = RunWriter(USER_ID)
    with Client(ws_server.url(user_token)) as first:
        first.subscribe(run.graph_exec_id)
        run.create()
        assert [e["seq"] for e in _events(first, 2)] == [1, 2]
    run.start()
    run.output({"output": ["done"]})
    run.finish()
    _wait_for_head(run, 6)

    with Client(ws_server.url(user_token)) as second:
        ack = second.subscribe(run.graph_exec_id, since_seq=2)
        assert ack["success"] is True and ack["channel"] == f"{USER_ID}|graph_exec#{run.graph_exec_id}"
        replayed = _events(second, 4)
        assert second.ping()["data"] == "pong"  # and nothing more

    assert [(e["seq"], e["method"], e["data"]["status"]) for e in replayed] == [
        (3, "graph_execution_event", "RUNNING"),
        (4, "node_execution_event", "RUNNING"),
        (5, "node_execution_event", "COMPLETED"),
        (6, "graph_execution_event", "COMPLETED"),
    ]
    assert replayed[2]["data"]["output_data"] == {"output": ["done"]}


def test_resubscribing_while_the_run_goes_on_loses_and_repeats_nothing(ws_server, user_token):
    run = RunWriter(USER_ID)
    outputs = 30
    total = 2 + 2 + outputs + 1

    def drive() -> None:
        run.create()
        run.start()
        for n in range(outputs):
            run.output({"output": [str(i) for i in range(n + 1)]}, prior=n, final=n == outputs - 1)
        run.finish()

    writer = threading.Thread(target=drive)
    writer.start()
    try:
        _wait_for_head(run, 8)  # mid-run: part of it is replayed, the rest arrives live
        with Client(ws_server.url(user_token)) as client:
            client.subscribe(run.graph_exec_id, since_seq=0)
            received = _events(client, total)
            assert client.ping()["data"] == "pong"
    finally:
        writer.join()

    assert sorted(e["seq"] for e in received) == list(range(1, total + 1))
    # Replayed and live events may interleave at the seam (docs/websocket.md): the run's
    # newest event is the one with the highest seq, not the one that arrived last.
    newest = max(received, key=lambda e: e["seq"])
    assert (newest["method"], newest["data"]["status"]) == ("graph_execution_event", "COMPLETED")


def test_since_seq_at_the_head_replays_nothing_and_continues_live(ws_server, user_token):
    run = RunWriter(USER_ID)
    run.create()
    _wait_for_head(run, 2)
    with Client(ws_server.url(user_token)) as client:
        client.subscribe(run.graph_exec_id, since_seq=2)
        assert client.ping()["data"] == "pong"
        run.start()
        assert [e["seq"] for e in _events(client, 2)] == [3, 4]


def test_events_older_than_the_retention_are_not_replayed(ws_server, user_token, monkeypatch):
    from agentplatform.config import get_settings

    monkeypatch.setenv("EVENT_REPLAY_HOURS", "0")
    get_settings.cache_clear()
    try:
        run = RunWriter(USER_ID)
        run.run()
        _wait_for_head(run, 6)
        with Client(ws_server.url(user_token)) as client:
            client.subscribe(run.graph_exec_id, since_seq=0)
            assert client.ping()["data"] == "pong"
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
