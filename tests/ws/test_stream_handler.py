"""The events Lambda on real stream records: partial batch failures, idempotent retries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import USER_ID
from tests.ws.support import RunWriter


@pytest.fixture
def stream(cloud: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from agentplatform.config import get_settings
    from local.streams import StreamReader
    from local.websocket import LOCAL_CALLBACK_URL, install_management_api

    install_management_api()
    monkeypatch.setenv("WEBSOCKET_CALLBACK_URL", LOCAL_CALLBACK_URL)
    get_settings.cache_clear()
    yield StreamReader(get_settings().table_name).seek_latest()
    monkeypatch.undo()
    get_settings.cache_clear()


def _handle(stream: Any, records: list[dict[str, Any]]) -> dict[str, Any]:
    from functions.events.stream import handler
    from local.lambdas import LambdaContext

    return handler(stream.lambda_event(records), LambdaContext(function_name="EventsStreamFunction"))


def _logged(run: RunWriter) -> list[tuple[int, str, str]]:
    from agentplatform.store.event_log import EventLog

    return [
        (e.seq, e.method, e.data["status"])
        for e in EventLog().between(run.user_id, run.graph_exec_id, 0, 100)
    ]


def test_an_undecodable_record_is_skipped_and_reported_not_retried(stream, caplog):
    from agentplatform.store import keys
    from agentplatform.store.table import Table

    run = RunWriter(USER_ID)
    run.create()
    # A node execution whose image cannot be read as one: retrying cannot cure it.
    Table().put(
        {
            "pk": keys.graph_exec_pk(USER_ID, run.graph_exec_id),
            "sk": keys.node_exec_sk("broken"),
            "type": "node_exec",
        }
    )
    run.start()
    records = stream.read()
    broken = records[2]["dynamodb"]["SequenceNumber"]
    assert len(records) == 5

    with caplog.at_level("ERROR"):
        assert _handle(stream, records) == {"batchItemFailures": []}
    assert f"Skipped stream record {broken}: it cannot be decoded (KeyError)" in caplog.text
    assert _logged(run) == [
        (1, "graph_execution_event", "QUEUED"),
        (2, "node_execution_event", "QUEUED"),
        (3, "graph_execution_event", "RUNNING"),
        (4, "node_execution_event", "RUNNING"),
    ]


def test_a_failing_delivery_fails_and_so_does_every_record_after_it(stream, monkeypatch):
    from agentplatform.events.fanout import DeliveryFailed, Fanout

    run = RunWriter(USER_ID)
    run.create()
    run.start()
    records = stream.read()
    positions = [r["dynamodb"]["SequenceNumber"] for r in records]
    publish = Fanout.publish

    def fail_the_third(self, change, position):
        if position == positions[2]:
            raise DeliveryFailed("1 deliveries of event 3 failed")
        return publish(self, change, position)

    monkeypatch.setattr(Fanout, "publish", fail_the_third)
    assert _handle(stream, records) == {"batchItemFailures": [{"itemIdentifier": p} for p in positions[2:]]}
    assert _logged(run) == [(1, "graph_execution_event", "QUEUED"), (2, "node_execution_event", "QUEUED")]


def test_a_retried_record_keeps_its_sequence_number(stream):
    run = RunWriter(USER_ID)
    run.create()
    run.start()
    records = stream.read()
    assert _handle(stream, records[:3]) == {"batchItemFailures": []}
    # Lambda redelivers from an earlier checkpoint (say, after a timeout).
    assert _handle(stream, records) == {"batchItemFailures": []}
    assert _logged(run) == [
        (1, "graph_execution_event", "QUEUED"),
        (2, "node_execution_event", "QUEUED"),
        (3, "graph_execution_event", "RUNNING"),
        (4, "node_execution_event", "RUNNING"),
    ]


def test_writes_no_client_can_see_make_no_events(stream):
    from agentplatform.store.connections import ConnectionRepository

    run = RunWriter(USER_ID)
    run.create()
    run.repo.soft_delete(run.ref)  # not part of the event payload
    ConnectionRepository().add(
        "someConnection1=", USER_ID, connected_at="2026-01-01T00:00:00+00:00", expires_at=1
    )
    records = stream.read()
    assert [r["eventName"] for r in records] == ["INSERT", "INSERT", "MODIFY", "INSERT"]
    assert _handle(stream, records) == {"batchItemFailures": []}
    assert [seq for seq, _, _ in _logged(run)] == [1, 2]


def test_stream_images_decode_like_table_reads(stream):
    from agentplatform.store.executions import node_result
    from agentplatform.store.stream_images import image_item
    from agentplatform.store.table import Table

    run = RunWriter(USER_ID)
    run.create()
    records = stream.read()
    event = stream.lambda_event(records)
    image = event["Records"][1]["dynamodb"]["NewImage"]
    assert isinstance(image["input"]["B"], str)  # base64 in the Lambda event, as on AWS
    item = image_item(image)
    stored = Table().get(item["pk"], item["sk"])
    assert item == stored
    assert node_result(item).input_data == {"format": "{{a}}", "values": {"a": 1}}
