"""Fan-out edge cases: connections that are gone, and payloads over the message quota."""

from __future__ import annotations

import time

import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import USER_ID
from tests.support.streams import wait_until
from tests.ws.support import Client, RunWriter


def test_a_gone_connection_is_forgotten_by_the_fan_out(ws_server, user_token):
    from agentplatform.store.connections import ConnectionRepository

    run = RunWriter(USER_ID)
    channel = f"{USER_ID}|graph_exec#{run.graph_exec_id}"
    repo = ConnectionRepository()
    # A connection whose $disconnect never ran: the item is there, the socket is not.
    repo.add(
        "ghostConnId0001=",
        USER_ID,
        connected_at="2026-01-01T00:00:00+00:00",
        expires_at=int(time.time()) + 600,
    )
    repo.subscribe("ghostConnId0001=", channel)
    with Client(ws_server.url(user_token)) as client:
        client.subscribe(run.graph_exec_id)
        assert {s.connection_id for s in repo.subscribers(channel)} >= {"ghostConnId0001="}
        run.create()
        assert [client.recv()["seq"] for _ in range(2)] == [1, 2]
        # Connections are posted to concurrently: the ghost's GoneException may come last.
        wait_until(lambda: repo.get("ghostConnId0001=") is None)
        assert "ghostConnId0001=" not in {s.connection_id for s in repo.subscribers(channel)}


def test_a_message_from_an_expired_connection_closes_the_socket(ws_server, user_token):
    from agentplatform.store.connections import ConnectionRepository

    with Client(ws_server.url(user_token)) as client:
        ack = client.subscribe("exec-of-an-expiring-connection")
        (subscription,) = ConnectionRepository().subscribers(ack["channel"])
        ConnectionRepository().remove(subscription.connection_id)  # as if its TTL had run out
        client.send({"method": "subscribe_graph_execution", "data": {"graph_exec_id": "x"}})
        with pytest.raises(ConnectionClosed):
            client.recv()


def test_an_oversized_output_is_truncated_and_still_delivered(ws_server, user_token):
    run = RunWriter(USER_ID)
    huge = "abcdefghij" * 40_000  # 400 KB: also spills to S3
    many = list(range(50_000))
    with Client(ws_server.url(user_token)) as client:
        client.subscribe(run.graph_exec_id)
        run.run({"output": [huge], "items": [many]})
        raws = [client.recv_raw() for _ in range(6)]

    import json

    events = [json.loads(raw) for raw in raws]
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5, 6]
    completed = events[4]
    assert completed["data"]["status"] == "COMPLETED"
    assert len(raws[4].encode()) <= 128 * 1024
    output = completed["data"]["output_data"]
    assert set(output) == {"output", "items"}
    text = output["output"][0]
    assert text.startswith(huge[:1000]) and "more characters truncated" in text
    items = output["items"][0]
    assert items[:10] == list(range(10)) and items[-1].endswith("more items truncated)")
    assert completed["data"]["node_exec_id"] == run.node_exec_id  # the rest is intact


def test_a_record_the_events_lambda_cannot_handle_breaks_neither_the_writer_nor_later_events(
    ws_server, user_token
):
    from agentplatform.store import keys
    from agentplatform.store.table import Table

    run = RunWriter(USER_ID)
    with Client(ws_server.url(user_token)) as client:
        client.subscribe(run.graph_exec_id)
        run.create()
        # Unreadable as a node execution: the handler fails on it every time.
        Table().put(
            {
                "pk": keys.graph_exec_pk(USER_ID, run.graph_exec_id),
                "sk": keys.node_exec_sk("broken"),
                "type": "node_exec",
            }
        )
        run.start()
        run.output({"output": ["still here"]})
        run.finish()
        events = [client.recv() for _ in range(6)]
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[-1]["data"]["status"] == "COMPLETED"


def test_the_local_management_api_answers_like_api_gateway(ws_server, user_token):
    from botocore.exceptions import ClientError

    from agentplatform.aws import client
    from agentplatform.store.connections import ConnectionRepository
    from local.websocket import LOCAL_CALLBACK_URL

    api = client("apigatewaymanagementapi", LOCAL_CALLBACK_URL)
    with pytest.raises(api.exceptions.GoneException) as gone:
        api.post_to_connection(ConnectionId="neverConnected1=", Data=b"{}")
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410
    with Client(ws_server.url(user_token)) as client_socket:
        ack = client_socket.subscribe("exec-for-the-management-api")
        (subscription,) = ConnectionRepository().subscribers(ack["channel"])
        connection_id = subscription.connection_id
        api.post_to_connection(ConnectionId=connection_id, Data=b'{"hello":"socket"}')
        assert client_socket.recv() == {"hello": "socket"}
        assert "ConnectedAt" in api.get_connection(ConnectionId=connection_id)
        with pytest.raises(ClientError) as too_large:
            api.post_to_connection(ConnectionId=connection_id, Data=b"x" * (128 * 1024 + 1))
        assert too_large.value.response["Error"]["Code"] == "PayloadTooLargeException"
        api.delete_connection(ConnectionId=connection_id)
        with pytest.raises(ConnectionClosed):
            client_socket.recv()
    with pytest.raises(api.exceptions.GoneException):
        api.post_to_connection(ConnectionId=connection_id, Data=b"{}")
