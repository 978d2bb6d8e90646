"""Execution events reach subscribed sockets through the table stream, in order."""

from __future__ import annotations

from typing import Any

from tests.conftest import OTHER_USER_ID, USER_ID
from tests.support.shapes import GRAPH_EXECUTION_META_KEYS, NODE_EXECUTION_RESULT_KEYS
from tests.ws.support import Client, RunWriter

GRAPH_KEYS = [*GRAPH_EXECUTION_META_KEYS, "outputs", "event_type"]
NODE_KEYS = [*NODE_EXECUTION_RESULT_KEYS, "event_type"]
ENVELOPE_KEYS = ["method", "data", "success", "channel", "error", "seq"]


def _recv_events(client: Client, count: int) -> list[dict[str, Any]]:
    return [client.recv() for _ in range(count)]


def _summary(message: dict[str, Any]) -> tuple[str, str]:
    return message["method"], message["data"]["status"]


def test_a_run_reaches_its_subscriber_in_order_with_every_node_event(ws_server, user_token):
    run = RunWriter(USER_ID)
    with Client(ws_server.url(user_token)) as client:
        ack = client.subscribe(run.graph_exec_id)
        assert ack["success"] is True
        run.run({"output": ["Hello, World!!!"]})
        events = _recv_events(client, 6)

    assert [_summary(e) for e in events] == [
        ("graph_execution_event", "QUEUED"),
        ("node_execution_event", "QUEUED"),
        ("graph_execution_event", "RUNNING"),
        ("node_execution_event", "RUNNING"),
        ("node_execution_event", "COMPLETED"),
        ("graph_execution_event", "COMPLETED"),
    ]
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5, 6]
    channel = f"{USER_ID}|graph_exec#{run.graph_exec_id}"
    for event in events:
        assert list(event) == ENVELOPE_KEYS
        assert event["channel"] == channel
        assert event["success"] is None and event["error"] is None
    graph_done, node_done = events[5]["data"], events[4]["data"]
    assert list(graph_done) == GRAPH_KEYS
    assert graph_done["event_type"] == "graph_execution_update"
    assert graph_done["id"] == run.graph_exec_id and graph_done["graph_id"] == run.graph_id
    assert graph_done["ended_at"] is not None and graph_done["started_at"] is not None
    assert list(node_done) == NODE_KEYS
    assert node_done["event_type"] == "node_execution_update"
    assert node_done["output_data"] == {"output": ["Hello, World!!!"]}
    assert node_done["input_data"] == {"format": "{{a}}", "values": {"a": 1}}
    assert node_done["node_exec_id"] == run.node_exec_id


def test_graph_events_also_reach_the_graph_channel_but_node_events_do_not(ws_server, user_token):
    run = RunWriter(USER_ID)
    with Client(ws_server.url(user_token)) as client:
        ack = client.subscribe_graph(run.graph_id)
        assert ack["channel"] == f"{USER_ID}|graph#{run.graph_id}|executions"
        run.run()
        events = _recv_events(client, 3)
        assert client.ping()["method"] == "heartbeat"  # nothing else was queued before the pong

    assert [_summary(e) for e in events] == [
        ("graph_execution_event", "QUEUED"),
        ("graph_execution_event", "RUNNING"),
        ("graph_execution_event", "COMPLETED"),
    ]
    assert [e["seq"] for e in events] == [1, 3, 6]  # the run's own numbering, shared by both channels
    assert {e["channel"] for e in events} == {f"{USER_ID}|graph#{run.graph_id}|executions"}


def test_subscribing_to_another_users_run_yields_own_channel_and_no_events(
    ws_server, user_token, other_token
):
    run = RunWriter(USER_ID)
    with Client(ws_server.url(user_token)) as owner, Client(ws_server.url(other_token)) as intruder:
        owner.subscribe(run.graph_exec_id)
        owner.subscribe_graph(run.graph_id)
        ack = intruder.subscribe(run.graph_exec_id, since_seq=0)
        assert ack == {
            "method": "subscribe_graph_execution",
            "data": None,
            "success": True,
            "channel": f"{OTHER_USER_ID}|graph_exec#{run.graph_exec_id}",
            "error": None,
        }
        intruder.subscribe_graph(run.graph_id)
        run.run()
        # The owner sees the last event on both channels: every post for the run is done.
        seen = _recv_events(owner, 9)
        assert [e["seq"] for e in seen if e["data"]["status"] == "COMPLETED"][-2:] == [6, 6]
        assert intruder.ping() == {"method": "heartbeat", "data": "pong", "success": True}
        late = intruder.subscribe(run.graph_exec_id, since_seq=0)
        assert late["success"] is True
        assert intruder.ping()["method"] == "heartbeat"  # no replay of someone else's run
