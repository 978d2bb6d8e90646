"""Watcher counts: the fan-out queries a channel's subscribers only if somebody watches it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import USER_ID
from tests.ws.support import RunWriter, handle, run_records

CHANNEL = f"{USER_ID}|graph_exec#watched-run"


def _connect(repo: Any, connection_id: str, lifetime: int = 3600) -> None:
    repo.add(
        connection_id,
        USER_ID,
        connected_at="2026-01-01T00:00:00+00:00",
        expires_at=int(time.time()) + lifetime,
    )


def test_a_channel_is_watched_while_a_connection_is_subscribed(cloud):
    from agentplatform.store.connections import ConnectionRepository

    repo = ConnectionRepository()
    _connect(repo, "watcherOne00001=")
    _connect(repo, "watcherTwo00001=")
    assert repo.watched([CHANNEL]) == set()
    repo.subscribe("watcherOne00001=", CHANNEL)
    repo.subscribe("watcherOne00001=", CHANNEL)  # again: still one watcher
    repo.subscribe("watcherTwo00001=", CHANNEL)
    repo.unsubscribe("watcherOne00001=", CHANNEL)
    assert repo.watched([CHANNEL, f"{USER_ID}|graph_exec#other"]) == {CHANNEL}
    repo.unsubscribe("watcherOne00001=", CHANNEL)  # not subscribed any more: nothing to count down
    assert repo.watched([CHANNEL]) == {CHANNEL}
    repo.remove("watcherTwo00001=")  # $disconnect
    assert repo.watched([CHANNEL]) == set()
    assert repo.subscribers(CHANNEL) == []


def test_a_subscribe_that_stopped_before_counting_is_counted_when_repeated(cloud, monkeypatch):
    from agentplatform.store.connections import ConnectionRepository

    repo = ConnectionRepository()
    _connect(repo, "watcherOne00001=")
    count = ConnectionRepository._count_watcher

    def crash(self: Any, *args: Any) -> None:
        raise ConnectionError("the invocation died here")

    monkeypatch.setattr(ConnectionRepository, "_count_watcher", crash)
    with pytest.raises(ConnectionError):
        repo.subscribe("watcherOne00001=", CHANNEL)  # the channel is in the set, nothing else
    monkeypatch.setattr(ConnectionRepository, "_count_watcher", count)
    assert repo.watched([CHANNEL]) == set() and repo.subscribers(CHANNEL) == []

    repo.subscribe("watcherOne00001=", CHANNEL)  # the client asks again
    assert repo.watched([CHANNEL]) == {CHANNEL}
    assert [s.connection_id for s in repo.subscribers(CHANNEL)] == ["watcherOne00001="]


def test_the_count_outlives_its_longest_lived_connection_and_an_expired_one_never_counts_down(cloud):
    from agentplatform.store import keys
    from agentplatform.store.connections import ConnectionRepository
    from agentplatform.store.table import Table

    repo = ConnectionRepository()
    _connect(repo, "longLived000001=", lifetime=7200)
    _connect(repo, "shortLived00001=", lifetime=600)
    repo.subscribe("longLived000001=", CHANNEL)
    repo.subscribe("shortLived00001=", CHANNEL)
    counter = Table().get(keys.channel_pk(CHANNEL), keys.CHANNEL_WATCH_SK)
    assert counter is not None and counter["watchers"] == 2
    assert counter["ttl"] == repo.get("longLived000001=")["ttl"]  # type: ignore[index]

    # A connection past its expiry (DynamoDB deletes lazily) is removed without counting down.
    Table().update(
        keys.connection_pk("shortLived00001="),
        keys.CONNECTION_SK,
        "SET #t = :t",
        names={"#t": "ttl"},
        values={":t": int(time.time()) - 1},
    )
    repo.remove("shortLived00001=")
    assert Table().get(keys.channel_pk(CHANNEL), keys.CHANNEL_WATCH_SK)["watchers"] == 2  # type: ignore[index]
    assert [s.connection_id for s in repo.subscribers(CHANNEL)] == ["longLived000001="]


@pytest.fixture
def dynamodb_calls(stream: Any) -> Iterator[list[str]]:
    from agentplatform.aws import client

    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(model.name)

    events = client("dynamodb").meta.events
    events.register("before-call.dynamodb", record)
    yield calls
    events.unregister("before-call.dynamodb", record)


def test_a_batch_of_a_run_nobody_watches_costs_four_requests(stream, dynamodb_calls):
    run = RunWriter(USER_ID)
    run.run()
    records = run_records(stream)
    dynamodb_calls.clear()
    assert handle(stream, records) == {"batchItemFailures": []}
    # Heads, the run's group, its head, the channels' watcher counts; no subscriber query.
    assert dynamodb_calls == ["BatchGetItem", "PutItem", "UpdateItem", "BatchGetItem"]


def test_a_watched_channel_is_queried_once_per_batch(stream, dynamodb_calls):
    from agentplatform.store.connections import ConnectionRepository

    run = RunWriter(USER_ID)
    repo = ConnectionRepository()
    _connect(repo, "goneWatcher0001=")  # no socket: its first post finds it gone
    repo.subscribe("goneWatcher0001=", f"{USER_ID}|graph_exec#{run.graph_exec_id}")
    run.run()
    records = run_records(stream)
    dynamodb_calls.clear()
    assert handle(stream, records) == {"batchItemFailures": []}
    assert dynamodb_calls[:5] == ["BatchGetItem", "PutItem", "UpdateItem", "BatchGetItem", "Query"]
    assert "Query" not in dynamodb_calls[5:]  # what follows forgets the gone connection
    assert repo.get("goneWatcher0001=") is None
    assert repo.watched([f"{USER_ID}|graph_exec#{run.graph_exec_id}"]) == set()
