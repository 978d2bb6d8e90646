"""The events Lambda on real stream records: partial batch failures, idempotent retries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import USER_ID
from tests.ws.support import RunWriter, handle, run_records


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
        assert handle(stream, records) == {"batchItemFailures": []}
    assert f"Skipped stream record {broken}: it cannot be decoded (KeyError)" in caplog.text
    assert _logged(run) == [
        (1, "graph_execution_event", "QUEUED"),
        (2, "node_execution_event", "QUEUED"),
        (3, "graph_execution_event", "RUNNING"),
        (4, "node_execution_event", "RUNNING"),
    ]


def test_a_failing_delivery_fails_and_so_does_every_record_after_it(stream, watcher, monkeypatch):
    from agentplatform.events.delivery import ConnectionPoster

    run = RunWriter(USER_ID)
    watcher.connections.subscribe(watcher.connection_id, f"{USER_ID}|graph_exec#{run.graph_exec_id}")
    run.create()
    run.start()
    records = run_records(stream)
    positions = [r["dynamodb"]["SequenceNumber"] for r in records]
    post = ConnectionPoster.post

    def throttle_the_third(self: Any, connection_id: str, message: str) -> bool:
        if message.endswith(',"seq":3}'):
            raise ConnectionError("throttled")
        return post(self, connection_id, message)

    monkeypatch.setattr(ConnectionPoster, "post", throttle_the_third)
    assert handle(stream, records) == {"batchItemFailures": [{"itemIdentifier": p} for p in positions[2:]]}
    assert [e["seq"] for e in watcher.received()] == [1, 2]

    # Numbered with the batch, so the retry of the failed records keeps their numbers.
    monkeypatch.setattr(ConnectionPoster, "post", post)
    assert handle(stream, records[2:]) == {"batchItemFailures": []}
    assert [(e["seq"], e["data"]["status"]) for e in watcher.received()] == [(3, "RUNNING"), (4, "RUNNING")]
    assert [seq for seq, _, _ in _logged(run)] == [1, 2, 3, 4]


def test_a_retried_record_keeps_its_sequence_number(stream):
    run = RunWriter(USER_ID)
    run.create()
    run.start()
    records = stream.read()
    assert handle(stream, records[:3]) == {"batchItemFailures": []}
    # Lambda redelivers from an earlier checkpoint (say, after a timeout).
    assert handle(stream, records) == {"batchItemFailures": []}
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
    assert handle(stream, records) == {"batchItemFailures": []}
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


def _groups(run: RunWriter) -> list[tuple[int, int]]:
    """(first, last) of every group item in the run's replay buffer."""
    from agentplatform.store import keys
    from agentplatform.store.table import Table

    items = Table().query(keys.event_log_pk(run.user_id, run.graph_exec_id), prefix=keys.EVENT_SEQ_PREFIX)
    return [(item["seq"], item["last"]) for item in items]


# The events of ``RunWriter.run``, as logged.
ONE_RUN = [
    (1, "graph_execution_event", "QUEUED"),
    (2, "node_execution_event", "QUEUED"),
    (3, "graph_execution_event", "RUNNING"),
    (4, "node_execution_event", "RUNNING"),
    (5, "node_execution_event", "COMPLETED"),
    (6, "graph_execution_event", "COMPLETED"),
]


@pytest.fixture
def watcher(stream: Any) -> Iterator[Any]:
    from tests.ws.support import CapturedSocket

    socket = CapturedSocket("streamWatcher01=", USER_ID)
    yield socket
    socket.close()


def test_two_runs_interleaved_in_one_batch_are_numbered_apart_with_one_claim_each(stream, watcher):
    first, second = RunWriter(USER_ID), RunWriter(USER_ID)
    watcher.connections.subscribe(watcher.connection_id, f"{USER_ID}|graph_exec#{first.graph_exec_id}")
    for step in ("create", "start"):
        getattr(first, step)()
        getattr(second, step)()
    first.output({"output": ["a"]})
    second.output({"output": ["b"]})
    second.finish()
    first.finish()
    records = run_records(stream)
    owners = [r["dynamodb"]["Keys"]["pk"]["S"].rsplit("#", 1)[1] for r in records]
    assert owners[:4] == [first.graph_exec_id] * 2 + [second.graph_exec_id] * 2  # interleaved

    assert handle(stream, records) == {"batchItemFailures": []}
    assert _logged(first) == _logged(second) == ONE_RUN
    assert _groups(first) == _groups(second) == [(1, 6)]  # one claim per run
    delivered = watcher.received()
    assert [(e["seq"], e["data"]["status"]) for e in delivered] == [
        (seq, status) for seq, _, status in ONE_RUN
    ]
    assert {e["channel"] for e in delivered} == {f"{USER_ID}|graph_exec#{first.graph_exec_id}"}


def test_a_batch_delivered_twice_repeats_its_events_with_their_numbers_and_logs_them_once(stream, watcher):
    run = RunWriter(USER_ID)
    watcher.connections.subscribe(watcher.connection_id, f"{USER_ID}|graph_exec#{run.graph_exec_id}")
    run.run()
    records = run_records(stream)

    assert handle(stream, records) == {"batchItemFailures": []}
    first_time = watcher.received()
    assert handle(stream, records) == {"batchItemFailures": []}  # Lambda delivers it again
    assert watcher.received() == first_time
    assert [e["seq"] for e in first_time] == [1, 2, 3, 4, 5, 6]
    assert _logged(run) == ONE_RUN
    assert _groups(run) == [(1, 6)]


def test_a_batch_retried_after_its_numbers_were_claimed_but_not_the_head_reuses_them(
    stream, watcher, monkeypatch
):
    from agentplatform.store.event_log import EventLog

    run = RunWriter(USER_ID)
    watcher.connections.subscribe(watcher.connection_id, f"{USER_ID}|graph_exec#{run.graph_exec_id}")
    run.run()
    records = run_records(stream)
    advance = EventLog._advance_head

    def crash(self: Any, *args: Any) -> None:
        raise ConnectionError("the invocation died here")

    monkeypatch.setattr(EventLog, "_advance_head", crash)
    with pytest.raises(Exception, match="all 4 records failed"):
        handle(stream, records[:4])  # numbered, never announced
    assert watcher.received() == []
    assert EventLog().head(USER_ID, run.graph_exec_id) == 0

    monkeypatch.setattr(EventLog, "_advance_head", advance)
    assert handle(stream, records) == {"batchItemFailures": []}  # the retry, with more records
    assert [e["seq"] for e in watcher.received()] == [1, 2, 3, 4, 5, 6]
    assert _logged(run) == ONE_RUN
    assert _groups(run) == [(1, 4), (5, 6)]
    assert EventLog().head(USER_ID, run.graph_exec_id) == 6
