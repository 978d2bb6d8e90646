"""AutoGPT's 5-field cron, checked, turned into an EventBridge Scheduler expression, and
its next fire time computed the way EventBridge Scheduler fires it.

Parsing and iteration are cronsim's (Debian cron semantics, DST-aware). Two rules
shape the subset we accept, both because EventBridge cannot express anything else
exactly:

- fields hold numbers, names (``JAN``, ``MON``), ``*``, ranges, lists and steps;
- day-of-month and day-of-week cannot both be restricted (cron ORs them; EventBridge
  requires one of them to be ``?``).

Daylight saving time, as EventBridge Scheduler documents it: a wall-clock time the
spring change skips is not run that day; a time the autumn change repeats runs once
(at its first occurrence). cronsim moves a skipped time past the gap instead, so
``next_fire_times`` drops those.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_FIELD = re.compile(r"^[0-9A-Za-z*,/-]+$")
_DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
MAX_EXPRESSION_LENGTH = 256  # EventBridge Scheduler's limit on ScheduleExpression


class CronError(ValueError):
    """The cron expression or time zone cannot be scheduled."""


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; ``CronError`` if there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CronError(f"Unknown time zone: {name!r}") from None


class Cron:
    """A checked 5-field cron expression."""

    def __init__(self, expression: str):
        from cronsim import CronSim, CronSimError

        self.expression = " ".join(expression.split())
        parts = self.expression.split(" ")
        if len(parts) != 5 or not all(_FIELD.match(part) for part in parts):
            raise CronError(
                f"Invalid cron expression {expression!r}: expected 5 fields (minute hour day month "
                "weekday) of numbers, names, *, ranges, lists and steps"
            )
        try:
            parsed = CronSim(self.expression, datetime(2000, 1, 1, tzinfo=UTC))
        except CronSimError as exc:
            raise CronError(f"Invalid cron expression {expression!r}: {exc}") from None
        self._parts = parts
        self._parsed = parsed
        if not _plain(parsed.days, parsed.weekdays):
            raise CronError(f"Invalid cron expression {expression!r}: L, W and # are not supported")
        if self._restricted(2) and self._restricted(4):
            raise CronError(
                f"Invalid cron expression {expression!r}: day-of-month and day-of-week cannot both "
                "be restricted (set one of them to *)"
            )
        if len(self.eventbridge_expression()) > MAX_EXPRESSION_LENGTH:
            raise CronError(f"Cron expression {expression!r} is too complex to schedule")

    def _restricted(self, index: int) -> bool:
        return self._parts[index] != "*"

    def eventbridge_expression(self) -> str:
        """``cron(minutes hours day-of-month month day-of-week year)``, same fire times."""
        p = self._parsed
        minutes = _listing(p.minutes) if self._restricted(0) else "*"
        hours = _listing(p.hours) if self._restricted(1) else "*"
        months = _listing(p.months) if self._restricted(3) else "*"
        if self._restricted(4):
            days_of_month = "?"
            weekdays = {day % 7 for day in p.weekdays if isinstance(day, int)}
            days_of_week = ",".join(_DAY_NAMES[day] for day in sorted(weekdays))
        else:
            days_of_month = _listing(p.days) if self._restricted(2) else "*"
            days_of_week = "?"
        return f"cron({minutes} {hours} {days_of_month} {months} {days_of_week} *)"

    def next_fire_times(self, timezone: str, after: datetime) -> Iterator[datetime]:
        """Fire times strictly after ``after``, in ``timezone``, as EventBridge fires them."""
        from cronsim import CronSim

        tz = zone(timezone)
        for fire in CronSim(self.expression, after.astimezone(tz)):
            if self._on_schedule(fire):
                yield fire

    def next_fire_time(self, timezone: str, after: datetime) -> datetime | None:
        return next(self.next_fire_times(timezone, after), None)

    def _on_schedule(self, fire: datetime) -> bool:
        """False for a time cronsim moved past a spring-forward gap (EventBridge skips it)."""
        return fire.minute in self._parsed.minutes and fire.hour in self._parsed.hours


def _plain(*fields: Iterable[object]) -> bool:
    """Only day numbers: cronsim marks ``L``/``W``/``#`` with negative or tuple items."""
    return all(isinstance(value, int) and value >= 0 for values in fields for value in values)


def _listing(values: set[int]) -> str:
    """``0,15,30`` / ``1-5`` / ``1-3,7``: runs of three or more become ranges."""
    ordered = sorted(values)
    terms: list[str] = []
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        if end - start >= 2:
            terms.append(f"{ordered[start]}-{ordered[end]}")
        else:
            terms.extend(str(value) for value in ordered[start : end + 1])
        start = end + 1
    return ",".join(terms)
