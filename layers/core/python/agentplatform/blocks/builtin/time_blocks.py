"""Clock blocks: the current time/date in a chosen zone and format, and a timer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal

from pydantic import BaseModel

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)

TimezoneName = Literal[
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Anchorage",
    "America/Phoenix",
    "America/Toronto",
    "America/Vancouver",
    "America/Mexico_City",
    "America/Bogota",
    "America/Lima",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "Pacific/Honolulu",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/Athens",
    "Europe/Moscow",
    "Europe/Istanbul",
    "Africa/Cairo",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Bangkok",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Sydney",
    "Pacific/Auckland",
]


class _ZoneChoice(BaseModel):
    timezone: TimezoneName = "UTC"
    use_user_timezone: bool = False


class TimeStrftimeFormat(_ZoneChoice):
    discriminator: Literal["strftime"]
    format: str = "%H:%M:%S"


class TimeISO8601Format(_ZoneChoice):
    discriminator: Literal["iso8601"]
    include_microseconds: bool = False


class DateStrftimeFormat(_ZoneChoice):
    discriminator: Literal["strftime"]
    format: str = "%Y-%m-%d"


class DateISO8601Format(_ZoneChoice):
    discriminator: Literal["iso8601"]


class StrftimeFormat(_ZoneChoice):
    discriminator: Literal["strftime"]
    format: str = "%Y-%m-%d %H:%M:%S"


class ISO8601Format(_ZoneChoice):
    discriminator: Literal["iso8601"]
    include_microseconds: bool = False


def _zone(choice: _ZoneChoice, kwargs: dict[str, Any]) -> tzinfo:
    name: str = choice.timezone
    if choice.use_user_timezone:
        context = kwargs.get("execution_context")
        user_zone = (
            context.get("user_timezone")
            if isinstance(context, dict)
            else getattr(context, "user_timezone", None)
        )
        name = user_zone or name
    if name == "UTC":
        return UTC  # no tz database needed for the common case
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _now(choice: _ZoneChoice, kwargs: dict[str, Any]) -> datetime:
    return datetime.now(tz=_zone(choice, kwargs))


class GetCurrentTimeBlock(Block):
    class Input(BlockSchemaInput):
        trigger: str = SchemaField(description="Trigger any data to output the current time")
        format_type: TimeStrftimeFormat | TimeISO8601Format = SchemaField(
            discriminator="discriminator",
            description="Format type for time output (strftime with custom format or ISO 8601)",
            default=TimeStrftimeFormat(discriminator="strftime"),
        )

    class Output(BlockSchemaOutput):
        time: str = SchemaField(description="Current time in the specified format (default: %H:%M:%S)")

    def __init__(self) -> None:
        super().__init__(
            id="a892b8d9-3e4e-4e9c-9c1e-75f8efcf1bfa",
            description="This block outputs the current time.",
            categories={BlockCategory.TEXT},
            input_schema=GetCurrentTimeBlock.Input,
            output_schema=GetCurrentTimeBlock.Output,
            test_input=[
                {"trigger": "Hello"},
                {"trigger": "Hello", "format_type": {"discriminator": "strftime", "format": "%H:%M"}},
                {
                    "trigger": "Hello",
                    "format_type": {
                        "discriminator": "iso8601",
                        "timezone": "UTC",
                        "include_microseconds": False,
                    },
                },
            ],
            test_output=[
                ("time", lambda t: len(t) == 8 and t[2] == ":" and t[5] == ":"),
                ("time", lambda t: len(t) == 5 and t[2] == ":"),
                ("time", lambda t: "T" in t and ("+" in t or "Z" in t)),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        fmt = input_data.format_type
        now = _now(fmt, kwargs)
        if isinstance(fmt, TimeISO8601Format):
            spec = "microseconds" if fmt.include_microseconds else "seconds"
            # A time of day with its offset, ISO 8601 style ("T14:03:07+00:00").
            yield "time", "T" + now.isoformat(timespec=spec).split("T", 1)[1]
        else:
            yield "time", now.strftime(fmt.format)


def _offset_days(offset: int | str) -> int:
    try:
        return int(offset)
    except (TypeError, ValueError):
        return 0


class GetCurrentDateBlock(Block):
    class Input(BlockSchemaInput):
        trigger: str = SchemaField(description="Trigger any data to output the current date")
        offset: int | str = SchemaField(
            title="Days Offset",
            description="Offset in days from the current date",
            default=0,
        )
        format_type: DateStrftimeFormat | DateISO8601Format = SchemaField(
            discriminator="discriminator",
            description="Format type for date output (strftime with custom format or ISO 8601)",
            default=DateStrftimeFormat(discriminator="strftime"),
        )

    class Output(BlockSchemaOutput):
        date: str = SchemaField(description="Current date in the specified format (default: YYYY-MM-DD)")

    def __init__(self) -> None:
        super().__init__(
            id="b29c1b50-5d0e-4d9f-8f9d-1b0e6fcbf0b1",
            description="This block outputs the current date with an optional offset.",
            categories={BlockCategory.TEXT},
            input_schema=GetCurrentDateBlock.Input,
            output_schema=GetCurrentDateBlock.Output,
            test_input=[
                {"trigger": "Hello", "offset": "7"},
                {
                    "trigger": "Hello",
                    "offset": "7",
                    "format_type": {"discriminator": "strftime", "format": "%m/%d/%Y"},
                },
                {
                    "trigger": "Hello",
                    "offset": "0",
                    "format_type": {"discriminator": "iso8601", "timezone": "UTC"},
                },
            ],
            test_output=[
                (
                    "date",
                    lambda t: (
                        abs(datetime.now().date() - datetime.strptime(t, "%Y-%m-%d").date())
                        <= timedelta(days=8)
                    ),
                ),
                (
                    "date",
                    lambda t: (
                        abs(datetime.now().date() - datetime.strptime(t, "%m/%d/%Y").date())
                        <= timedelta(days=8)
                    ),
                ),
                ("date", lambda t: len(t) == 10 and t[4] == "-" and t[7] == "-"),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        fmt = input_data.format_type
        day = _now(fmt, kwargs) - timedelta(days=_offset_days(input_data.offset))
        if isinstance(fmt, DateISO8601Format):
            yield "date", day.date().isoformat()
        else:
            yield "date", day.strftime(fmt.format)


class GetCurrentDateAndTimeBlock(Block):
    class Input(BlockSchemaInput):
        trigger: str = SchemaField(description="Trigger any data to output the current date and time")
        format_type: StrftimeFormat | ISO8601Format = SchemaField(
            discriminator="discriminator",
            description=(
                "Format type for date and time output (strftime with custom format or ISO 8601/RFC 3339)"
            ),
            default=StrftimeFormat(discriminator="strftime"),
        )

    class Output(BlockSchemaOutput):
        date_time: str = SchemaField(
            description="Current date and time in the specified format (default: YYYY-MM-DD HH:MM:SS)"
        )

    def __init__(self) -> None:
        super().__init__(
            id="716a67b3-6760-42e7-86dc-18645c6e00fc",
            description="This block outputs the current date and time.",
            categories={BlockCategory.TEXT},
            input_schema=GetCurrentDateAndTimeBlock.Input,
            output_schema=GetCurrentDateAndTimeBlock.Output,
            test_input=[
                {"trigger": "Hello"},
                {"trigger": "Hello", "format_type": {"discriminator": "strftime", "format": "%Y/%m/%d"}},
                {
                    "trigger": "Hello",
                    "format_type": {
                        "discriminator": "iso8601",
                        "timezone": "UTC",
                        "include_microseconds": False,
                    },
                },
            ],
            test_output=[
                (
                    "date_time",
                    lambda t: (
                        abs(datetime.now(tz=UTC) - datetime.strptime(t + "+00:00", "%Y-%m-%d %H:%M:%S%z"))
                        < timedelta(seconds=10)
                    ),
                ),
                (
                    "date_time",
                    lambda t: (
                        abs(datetime.now().date() - datetime.strptime(t, "%Y/%m/%d").date())
                        <= timedelta(days=1)
                    ),
                ),
                (
                    "date_time",
                    lambda t: abs(datetime.now(tz=UTC) - datetime.fromisoformat(t)) < timedelta(seconds=10),
                ),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        fmt = input_data.format_type
        now = _now(fmt, kwargs)
        if isinstance(fmt, ISO8601Format):
            yield (
                "date_time",
                now.isoformat(timespec="microseconds" if fmt.include_microseconds else "seconds"),
            )
        else:
            yield "date_time", now.strftime(fmt.format)


class CountdownTimerBlock(Block):
    class Input(BlockSchemaInput):
        input_message: Any = SchemaField(
            advanced=False,
            description="Message to output after the timer finishes",
            default="timer finished",
        )
        seconds: int | str = SchemaField(advanced=False, description="Duration in seconds", default=0)
        minutes: int | str = SchemaField(advanced=False, description="Duration in minutes", default=0)
        hours: int | str = SchemaField(advanced=False, description="Duration in hours", default=0)
        days: int | str = SchemaField(advanced=False, description="Duration in days", default=0)
        repeat: int = SchemaField(description="Number of times to repeat the timer", default=1)

    class Output(BlockSchemaOutput):
        output_message: Any = SchemaField(description="Message after the timer finishes")

    def __init__(self) -> None:
        super().__init__(
            id="d67a9c52-5e4e-11e2-bcfd-0800200c9a71",
            description="This block triggers after a specified duration.",
            categories={BlockCategory.TEXT},
            input_schema=CountdownTimerBlock.Input,
            output_schema=CountdownTimerBlock.Output,
            test_input=[{"seconds": 1}, {"input_message": "Custom message"}],
            test_output=[("output_message", "timer finished"), ("output_message", "Custom message")],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        total = (
            int(input_data.seconds)
            + 60 * int(input_data.minutes)
            + 3600 * int(input_data.hours)
            + 86400 * int(input_data.days)
        )
        for _ in range(input_data.repeat):
            if total > 0:
                await asyncio.sleep(total)
            yield "output_message", input_data.input_message
