"""Cron checking, the EventBridge expression it becomes, and DST-correct fire times."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import islice

import pytest

from agentplatform.schedules.cron import Cron, CronError


def _fires(expression: str, timezone: str, after: datetime, count: int = 4) -> list[str]:
    return [fire.isoformat() for fire in islice(Cron(expression).next_fire_times(timezone, after), count)]


def test_nine_am_new_york_across_the_march_change() -> None:
    """Clocks spring forward on 2025-03-09: 9:00 stays 9:00 local, 14:00 then 13:00 UTC."""
    assert _fires("0 9 * * *", "America/New_York", datetime(2025, 3, 7, 15, 0, tzinfo=UTC)) == [
        "2025-03-08T09:00:00-05:00",
        "2025-03-09T09:00:00-04:00",
        "2025-03-10T09:00:00-04:00",
        "2025-03-11T09:00:00-04:00",
    ]


def test_a_time_the_spring_change_skips_does_not_run_that_day() -> None:
    """As EventBridge Scheduler: 02:30 does not exist on 2025-03-09 in New York."""
    assert _fires("30 2 * * *", "America/New_York", datetime(2025, 3, 8, 12, 0, tzinfo=UTC), 2) == [
        "2025-03-10T02:30:00-04:00",
        "2025-03-11T02:30:00-04:00",
    ]


def test_a_time_the_autumn_change_repeats_runs_once() -> None:
    assert _fires("30 1 * * *", "America/New_York", datetime(2025, 11, 1, 12, 0, tzinfo=UTC), 2) == [
        "2025-11-02T01:30:00-04:00",
        "2025-11-03T01:30:00-05:00",
    ]


@pytest.mark.parametrize(
    ("cron", "expression"),
    [
        ("0 9 * * *", "cron(0 9 * * ? *)"),
        ("*/15 * * * *", "cron(0,15,30,45 * * * ? *)"),
        ("0 9 * * 1-5", "cron(0 9 ? * MON,TUE,WED,THU,FRI *)"),
        ("0 12 * JAN,jul 0,7", "cron(0 12 ? 1,7 SUN *)"),
        ("0 0 1,15 * *", "cron(0 0 1,15 * ? *)"),
        ("5 0-6 */10 * *", "cron(5 0-6 1,11,21,31 * ? *)"),
    ],
)
def test_eventbridge_expression_fires_at_the_same_times(cron: str, expression: str) -> None:
    assert Cron(cron).eventbridge_expression() == expression


@pytest.mark.parametrize(
    "cron",
    ["0 9 * *", "61 * * * *", "0 24 * * *", "0 9 1 * MON", "0 9 L * *", "0 9 * * 5L", "0 9 ? * *", "0 0 30 2 *", ""],
)
def test_invalid_or_inexpressible_cron_is_refused(cron: str) -> None:
    with pytest.raises(CronError):
        Cron(cron)
