"""The local event source mapping on the table's real stream (moto here; DynamoDB Local
in tests/e2e/test_streams_on_dynamodb_local.py): the deployed mapping's filter, partial
batch failures, bisection, retries, dead letters and checkpoints."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.streams import PK, RecordingHandler, put, wait_until


@pytest.fixture
def mapping(cloud: Any) -> Any:
    from local.streams import StreamMapping

    (props,) = cloud.blueprint.stream_mappings  # as the synthesized template has it
    return StreamMapping.from_template(props, cloud.blueprint.functions[props["FunctionName"]])


@pytest.fixture
def poll(mapping: Any, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Starts a poller reading from the stream's start (a new checkpoint file)."""
    from agentplatform.config import get_settings
    from local.streams import StreamPoller

    started: list[StreamPoller] = []

    def start(handler: RecordingHandler) -> StreamPoller:
        poller = StreamPoller(
            get_settings().table_name,
            mapping,
            checkpoint=tmp_path / "checkpoint.json",
            dead_letters=tmp_path / "dead-letters.jsonl",
            handler=handler,
        ).start()
        started.append(poller)
        return poller

    yield start
    for poller in started:
        poller.stop()


def test_the_mapping_is_the_deployed_one(mapping):
    assert mapping.handler == "events.stream.handler"
    assert (mapping.batch_size, mapping.report_item_failures, mapping.bisect_on_error) == (100, True, True)
    assert (mapping.retry_attempts, mapping.max_record_age_seconds, mapping.parallelization_factor) == (3, 3600, 10)


def test_only_run_and_node_inserts_and_modifies_are_delivered(poll):
    from agentplatform.store.table import Table

    put("a", "graph_exec")
    put("b", "graph")
    put("c")
    put("c")  # MODIFY
    Table().delete(PK, "a")  # REMOVE
    handler = RecordingHandler()
    poll(handler)
    wait_until(lambda: len(handler.seen()) >= 3)
    assert handler.invocations == [["a", "c", "c"]]


def test_a_reported_failure_is_retried_from_that_record_on(poll):
    for sk in "abcd":
        put(sk)
    handler = RecordingHandler(fail_once={"b"})
    poll(handler)
    wait_until(lambda: len(handler.invocations) >= 2)
    assert handler.invocations == [list("abcd"), list("bcd")]


def test_a_raising_batch_is_bisected_down_to_the_poison_record_which_is_dead_lettered(poll, tmp_path):
    for sk in "abcdefgh":
        put(sk)
    handler = RecordingHandler(poison={"f"})
    poller = poll(handler)
    wait_until(lambda: handler.invocations[-1:] == [["g", "h"]])
    # Split until "f" is alone; it is then retried three times and set aside.
    assert handler.invocations == [
        list("abcdefgh"),
        list("abcd"),
        list("efgh"),
        list("ef"),
        ["e"],
        ["f"],
        ["f"],
        ["f"],
        ["f"],
        list("gh"),
    ]
    (dead,) = [json.loads(line) for line in (tmp_path / "dead-letters.jsonl").read_text().splitlines()]
    assert dead["condition"] == "RetryAttemptsExhausted"
    info = dead["DDBStreamBatchInfo"]
    assert (info["batchSize"], info["streamArn"]) == (1, poller._reader.stream_arn)
    assert info["startSequenceNumber"] == info["endSequenceNumber"]


def test_a_new_poller_resumes_after_the_last_delivered_record(poll):
    first = RecordingHandler()
    poller = poll(first)
    put("a")
    put("b")
    wait_until(lambda: first.seen() == ["a", "b"])
    poller.stop()
    put("c")
    second = RecordingHandler()
    poll(second)
    put("d")
    wait_until(lambda: "d" in second.seen())
    assert (first.seen(), second.seen()) == (["a", "b"], ["c", "d"])


def test_concurrent_batches_keep_each_partition_keys_order(poll):
    from agentplatform.store.table import Table

    runs = [f"GEXEC#run-{n}" for n in range(6)]
    for step in range(5):
        for pk in runs:
            Table().put({"pk": pk, "sk": f"{pk}-{step}", "type": "node_exec"})
    handler = RecordingHandler()
    poll(handler)
    wait_until(lambda: len(handler.seen()) >= 30)
    seen = handler.seen()
    assert sorted(seen) == sorted(f"{pk}-{step}" for pk in runs for step in range(5))
    for pk in runs:
        assert [sk for sk in seen if sk.startswith(f"{pk}-")] == [f"{pk}-{step}" for step in range(5)]
    assert len(handler.invocations) > 1  # one GetRecords batch, delivered as concurrent batches
