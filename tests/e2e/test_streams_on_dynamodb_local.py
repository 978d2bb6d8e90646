"""The local event source mapping on DynamoDB Local's own Streams API: a reader that
stops, and an engine that restarts on the same data, neither skip nor repeat a record."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.streams import RecordingHandler, put, wait_until

pytestmark = pytest.mark.e2e


def _point_clients_at(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentplatform.aws import reset_clients

    for name in ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS"):
        monkeypatch.setenv(name, endpoint)
    reset_clients()


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from agentplatform.aws import client, reset_clients
    from agentplatform.config import get_settings
    from agentplatform.store.schema import create_table_kwargs
    from local.dynamodb_local import DynamoDBLocal

    for name, value in {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    engine = DynamoDBLocal(tmp_path / "dynamodb")
    _point_clients_at(engine.start(), monkeypatch)
    client("dynamodb").create_table(**create_table_kwargs(get_settings().table_name))
    try:
        yield engine
    finally:
        engine.stop()
        monkeypatch.undo()
        reset_clients()


def _poller(handler: RecordingHandler, checkpoint: Path) -> Any:
    from agentplatform.config import get_settings
    from local.streams import StreamMapping, StreamPoller

    mapping = StreamMapping("EventsStreamFunction", "events.stream.handler", report_item_failures=True)
    return StreamPoller(get_settings().table_name, mapping, checkpoint=checkpoint, handler=handler).start()


def test_delivery_resumes_exactly_after_the_checkpoint_across_restarts(engine, tmp_path, monkeypatch):
    checkpoint = tmp_path / "checkpoint.json"
    first = RecordingHandler(fail_once={"b"})
    poller = _poller(first, checkpoint)
    for sk in "abc":
        put(sk)
    wait_until(lambda: first.seen()[-1:] == ["c"])
    poller.stop()
    put("d")  # written while no reader runs

    engine.stop()  # the engine restarts on the same data (and another port)
    _point_clients_at(engine.start(), monkeypatch)
    put("e")
    second = RecordingHandler()
    poller = _poller(second, checkpoint)
    put("f")
    wait_until(lambda: second.seen()[-1:] == ["f"])
    poller.stop()

    assert "".join(first.seen()).endswith("bc")  # "b" failed once and was retried with "c"
    assert second.seen() == ["d", "e", "f"]
