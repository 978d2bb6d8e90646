"""Daily and weekly summaries: sent to users who finished runs in the period, with
upstream's figures, once per period, and never to a user who ran nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import OTHER_USER_ID, USER_ID
from tests.support.graphs import input_store_output_graph
from tests.support.notifications import EMAIL, outbox, set_preference, text_of
from tests.support.runs import create_graph


def _finished_run(user_id: str, graph_id: str, status: str, cost: int, duration: float) -> None:
    """A run of ``graph_id`` ended with ``status`` and these stats, and its AGENT_RUN handled."""
    from agentplatform.models.execution import ExecutionStatus
    from agentplatform.store.table import pack
    from tests.ws.support import RunWriter

    writer = RunWriter(user_id, graph_id=graph_id)
    writer.create()
    writer.start()
    ended = datetime.now(UTC).isoformat()
    stats = pack({"cost": cost, "duration": duration})
    assert writer.repo.set_run_status(writer.ref, ExecutionStatus(status), ended_at=ended, stats=stats)
    data = {
        "agent_name": "x",
        "credits_used": cost,
        "execution_time": duration,
        "node_count": 1,
        "graph_id": graph_id,
        "outputs": [],
    }
    _publish(user_id, "AGENT_RUN", data, f"AGENT_RUN:{writer.graph_exec_id}")


def _publish(user_id: str, kind: str, data: dict[str, Any], event_id: str) -> None:
    from agentplatform.models.user import NotificationType
    from agentplatform.notifications import publish

    assert publish(user_id, NotificationType(kind), data, event_id=event_id)


def _queue_summaries(kind: str, at: datetime) -> None:
    from agentplatform.models.notifications import QueueSummariesTask
    from agentplatform.models.user import NotificationType
    from agentplatform.notifications.service import NotificationService

    NotificationService(clock=lambda: at).handle(QueueSummariesTask(type=NotificationType(kind)))


def _tomorrow_at_nine() -> datetime:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=1, hours=9)


def _summaries(notifications: Any, subject: str) -> list[Any]:
    return [m for m in outbox(notifications.outbox) if m["Subject"] == subject]


def test_the_daily_summary_reports_yesterdays_runs_with_upstreams_figures(api, notifications, users):
    echo = create_graph(api, input_store_output_graph("Echo"))
    other = create_graph(api, input_store_output_graph("Sorter"))
    _finished_run(USER_ID, echo["id"], "COMPLETED", cost=150, duration=2.0)
    _finished_run(USER_ID, echo["id"], "FAILED", cost=50, duration=4.0)
    _finished_run(USER_ID, other["id"], "TERMINATED", cost=0, duration=3.0)
    notifications.drain()

    _queue_summaries("DAILY_SUMMARY", _tomorrow_at_nine())
    notifications.drain()

    [summary] = _summaries(notifications, "Here's your daily summary!")
    assert summary["To"] == EMAIL
    body = text_of(summary)
    today = datetime.now(UTC).date().isoformat()
    assert f"Your agents on {today}:" in body
    assert "Runs: 3 (1 succeeded, 2 failed or stopped)" in body
    assert "Credits used: $2.00" in body
    assert "Time running: 9.0 s (average 3.0 s)" in body
    assert "Most used agent: Echo" in body
    assert "* Echo: $2.00" in body and "* Sorter: $0.00" in body
    # Only users who ran something get one.
    assert all(m["To"] == EMAIL for m in outbox(notifications.outbox))


def test_a_summary_is_sent_once_per_period_even_if_queued_twice(api, notifications, users):
    echo = create_graph(api, input_store_output_graph("Echo"))
    _finished_run(USER_ID, echo["id"], "COMPLETED", cost=1, duration=1.0)
    notifications.drain()

    _queue_summaries("DAILY_SUMMARY", _tomorrow_at_nine())
    _queue_summaries("DAILY_SUMMARY", _tomorrow_at_nine() + timedelta(minutes=5))
    notifications.drain()

    assert len(_summaries(notifications, "Here's your daily summary!")) == 1


def test_the_weekly_summary_covers_seven_days_and_respects_the_preference(
    api, other_api, notifications, users
):
    from tests.support.notifications import OTHER_EMAIL

    mine = create_graph(api, input_store_output_graph("Mine"))
    theirs = create_graph(other_api, input_store_output_graph("Theirs"))
    _finished_run(USER_ID, mine["id"], "COMPLETED", cost=10, duration=1.0)
    _finished_run(OTHER_USER_ID, theirs["id"], "COMPLETED", cost=10, duration=1.0)
    notifications.drain()
    set_preference(OTHER_USER_ID, OTHER_EMAIL, WEEKLY_SUMMARY=False)

    _queue_summaries("WEEKLY_SUMMARY", datetime.now(UTC) + timedelta(days=2))
    notifications.drain()

    [weekly] = _summaries(notifications, "Look at all the cool stuff you did last week!")
    assert weekly["To"] == EMAIL
    assert "Most used agent: Mine" in text_of(weekly)
    assert "Theirs" not in text_of(weekly)


def test_no_summary_for_a_period_without_runs(api, notifications, users):
    echo = create_graph(api, input_store_output_graph("Echo"))
    _finished_run(USER_ID, echo["id"], "COMPLETED", cost=1, duration=1.0)
    notifications.drain()

    _queue_summaries("DAILY_SUMMARY", _tomorrow_at_nine() + timedelta(days=3))  # three days later
    notifications.drain()

    assert _summaries(notifications, "Here's your daily summary!") == []
