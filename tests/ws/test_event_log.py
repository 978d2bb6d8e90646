"""The replay buffer's numbering: once per stream record, gap-free, crash-safe."""

from __future__ import annotations

from tests.conftest import OTHER_USER_ID, USER_ID

HOUR = 3600


def _append(log, position: str, status: str = "RUNNING"):
    return log.append(
        USER_ID,
        "run-1",
        stream_position=position,
        method="graph_execution_event",
        data={"status": status},
        retention_seconds=HOUR,
    )


def test_numbers_follow_stream_order_and_a_repeat_gets_its_first_number(cloud):
    from agentplatform.store.event_log import EventLog

    log = EventLog()
    assert [_append(log, p).seq for p in ("100", "205", "1000")] == [1, 2, 3]
    again = _append(log, "205", status="IGNORED")
    assert (again.seq, again.data) == (2, {"status": "RUNNING"})  # the stored event, not a new one
    assert log.head(USER_ID, "run-1") == 3
    assert [e.seq for e in log.between(USER_ID, "run-1", 0, 3)] == [1, 2, 3]
    assert [e.seq for e in log.between(USER_ID, "run-1", 1, 2)] == [2]


def test_an_append_that_stopped_before_moving_the_head_is_completed_on_retry(cloud):
    from agentplatform.store import keys
    from agentplatform.store.event_log import EventLog
    from agentplatform.store.table import Table

    log = EventLog()
    _append(log, "100")
    _append(log, "200")
    Table().update(
        keys.event_log_pk(USER_ID, "run-1"),
        keys.EVENT_LOG_HEAD_SK,
        "SET seq = :one, #s = :src",
        names={"#s": "source"},
        values={":one": 1, ":src": "100".rjust(40, "0")},
    )
    retry = EventLog()  # the retry is a new invocation
    assert _append(retry, "200").seq == 2  # found its claimed entry, moved the head
    assert retry.head(USER_ID, "run-1") == 2
    assert _append(retry, "300").seq == 3


def test_a_number_claimed_by_another_record_is_skipped_over(cloud):
    from agentplatform.store import keys
    from agentplatform.store.event_log import EventLog
    from agentplatform.store.table import Table

    log = EventLog()
    _append(log, "100")
    Table().update(
        keys.event_log_pk(USER_ID, "run-1"),
        keys.EVENT_LOG_HEAD_SK,
        "SET seq = :zero, #s = :src",
        names={"#s": "source"},
        values={":zero": 0, ":src": "0"},
    )
    fresh = EventLog()
    assert _append(fresh, "150").seq == 2
    assert fresh.head(USER_ID, "run-1") == 2


def test_a_stale_remembered_head_is_corrected_by_the_conditional_writes(cloud):
    from agentplatform.store.event_log import EventLog

    first, second = EventLog(), EventLog()
    assert _append(first, "100").seq == 1
    assert _append(second, "200").seq == 2
    assert _append(first, "300").seq == 3  # it remembered head 1; entry 2 was taken


def test_logs_are_per_user(cloud):
    from agentplatform.store.event_log import EventLog

    log = EventLog()
    _append(log, "100")
    assert log.head(OTHER_USER_ID, "run-1") == 0
    assert log.between(OTHER_USER_ID, "run-1", 0, 10) == []
