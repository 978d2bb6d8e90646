"""``$default`` replies, byte for byte as upstream sends them (spec §4)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import USER_ID
from tests.ws.support import Client, RunWriter

PONG = '{"method":"heartbeat","data":"pong","success":true}'


def _error(text: str) -> str:
    return '{"method":"error","data":null,"success":false,"channel":null,"error":"' + text + '"}'


@pytest.fixture
def client(ws_server, user_token):
    with Client(ws_server.url(user_token)) as connected:
        yield connected


def test_subscribe_ack_is_the_upstream_snapshot(client):
    client.send({"method": "subscribe_graph_execution", "data": {"graph_exec_id": "exec-1"}})
    assert client.recv_raw() == (
        '{"method":"subscribe_graph_execution","data":null,"success":true,'
        f'"channel":"{USER_ID}|graph_exec#exec-1","error":null}}'
    )


def test_subscribe_graph_executions_ack(client):
    client.send({"method": "subscribe_graph_executions", "data": {"graph_id": "graph-1"}})
    assert client.recv_raw() == (
        '{"method":"subscribe_graph_executions","data":null,"success":true,'
        f'"channel":"{USER_ID}|graph#graph-1|executions","error":null}}'
    )


def test_unsubscribe_ack_and_no_events_afterwards(client):
    run = RunWriter(USER_ID)
    client.subscribe(run.graph_exec_id)
    client.subscribe_graph(run.graph_id)
    client.send({"method": "unsubscribe", "data": {"graph_exec_id": run.graph_exec_id}})
    assert client.recv_raw() == (
        '{"method":"unsubscribe","data":null,"success":true,'
        f'"channel":"{USER_ID}|graph_exec#{run.graph_exec_id}","error":null}}'
    )
    run.run()
    # Each event reaches the run's channel before the graph's: only the graph's remain.
    events = [client.recv() for _ in range(3)]
    assert [(e["channel"], e["data"]["status"]) for e in events] == [
        (f"{USER_ID}|graph#{run.graph_id}|executions", status)
        for status in ("QUEUED", "RUNNING", "COMPLETED")
    ]
    assert client.ping() == json.loads(PONG)


def test_heartbeat_reply_has_exactly_three_keys(client):
    client.send({"method": "heartbeat", "data": "ping", "success": True})
    assert client.recv_raw() == PONG


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        ({"method": "subscribe_graph_execution"}, "Subscription data missing"),
        ({"method": "subscribe_graph_execution", "data": {}}, "Subscription data missing"),
        ({"method": "subscribe_graph_executions", "data": None}, "Subscription data missing"),
        ({"method": "unsubscribe", "data": ""}, "Subscription data missing"),
        (
            {"method": "subscribe_graph_execution", "data": {"graph_exec_id": 7}},
            "Invalid message data. Refer to the API schema",
        ),
        (
            {"method": "subscribe_graph_execution", "data": ["exec-1"]},
            "Invalid message data. Refer to the API schema",
        ),
        (
            {"method": "subscribe_graph_executions", "data": {"graph_exec_id": "x"}},
            "Invalid message data. Refer to the API schema",
        ),
        (
            {"method": "subscribe_graph_execution", "data": {"graph_exec_id": "x", "since_seq": -1}},
            "Invalid message data. Refer to the API schema",
        ),
        ({"method": "graph_execution_event", "data": {}}, "Message type is not processed by the server"),
        ({"method": "notification"}, "Message type is not processed by the server"),
        ({"method": "no_such_method"}, "Invalid message format. Review the schema and retry"),
        ({"data": {"graph_exec_id": "x"}}, "Invalid message format. Review the schema and retry"),
        ("this is not json", "Invalid message format. Review the schema and retry"),
    ],
)
def test_error_replies(client, message, reply):
    client.send(message)
    assert client.recv_raw() == _error(reply)


def test_a_client_error_message_is_only_logged(client):
    client.send({"method": "error", "data": "something broke", "success": False})
    assert client.ping() == json.loads(PONG)  # the pong is the very next message
