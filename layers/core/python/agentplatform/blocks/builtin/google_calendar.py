"""Google Calendar: reading upcoming events (upstream ``backend/blocks/google/calendar.py``,
``GoogleCalendarReadEventsBlock``), over the Calendar API's ``events.list``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel

from agentplatform.blocks import Block, BlockCategory, BlockOutput, BlockSchemaInput, BlockSchemaOutput
from agentplatform.blocks.builtin._google import (
    CALENDAR_API,
    TEST_CREDENTIALS,
    TEST_CREDENTIALS_INPUT,
    GoogleApi,
    GoogleCredentialsField,
    GoogleCredentialsInput,
    google_credentials,
    google_oauth_is_configured,
)
from agentplatform.blocks.schema import SchemaField


class CalendarEvent(BaseModel):
    """A Google Calendar event, flattened."""

    id: str
    title: str
    start_time: str
    end_time: str
    is_all_day: bool
    location: str | None
    description: str | None
    organizer: str | None
    attendees: list[str]
    has_video_call: bool
    video_link: str | None
    calendar_link: str
    is_recurring: bool


def _readable(value: str) -> str:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%Y-%m-%d %H:%M")


def _video_link(event: dict[str, Any]) -> str | None:
    conference = event.get("conferenceData") or {}
    if conference.get("conferenceUrl"):
        return str(conference["conferenceUrl"])
    for entry in conference.get("entryPoints", []):
        if entry.get("entryPointType") == "video":
            return entry.get("uri")
    return None


class GoogleCalendarReadEventsBlock(Block):
    class Input(BlockSchemaInput):
        credentials: GoogleCredentialsInput = GoogleCredentialsField(
            ["https://www.googleapis.com/auth/calendar.readonly"]
        )
        calendar_id: str = SchemaField(
            description="Calendar ID (use 'primary' for your main calendar)", default="primary"
        )
        max_events: int = SchemaField(description="Maximum number of events to retrieve", default=10)
        start_time: datetime = SchemaField(
            description="Retrieve events starting from this time",
            default_factory=lambda: datetime.now(tz=UTC),
        )
        time_range_days: int = SchemaField(description="Number of days to look ahead for events", default=30)
        search_term: str | None = SchemaField(
            description="Optional search term to filter events by", default=None
        )
        page_token: str | None = SchemaField(
            description=(
                "Page token from previous request to get the next batch of events. You can use this if you "
                "have lots of events you want to process in a loop"
            ),
            default=None,
        )
        include_declined_events: bool = SchemaField(
            description="Include events you've declined", default=False
        )

    class Output(BlockSchemaOutput):
        events: list[CalendarEvent] = SchemaField(
            description="List of calendar events in the requested time range", default_factory=list
        )
        event: CalendarEvent = SchemaField(
            description="One of the calendar events in the requested time range"
        )
        next_page_token: str | None = SchemaField(
            description="Token for retrieving the next page of events if more exist", default=None
        )
        error: str = SchemaField(description="Error message if the request failed")

    def __init__(self) -> None:
        test_now = datetime.now(tz=UTC)
        test_tomorrow = test_now + timedelta(days=1)
        test_event = {
            "id": "event1id",
            "title": "Team Meeting",
            "start_time": test_tomorrow.strftime("%Y-%m-%d %H:%M"),
            "end_time": (test_tomorrow + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
            "is_all_day": False,
            "location": "Conference Room A",
            "description": "Weekly team sync",
            "organizer": "manager@example.com",
            "attendees": ["colleague1@example.com", "colleague2@example.com"],
            "has_video_call": True,
            "video_link": "https://meet.google.com/abc-defg-hij",
            "calendar_link": "https://calendar.google.com/calendar/event?eid=event1id",
            "is_recurring": True,
        }
        api_event = {
            "id": "event1id",
            "summary": "Team Meeting",
            "start": {"dateTime": test_tomorrow.isoformat(), "timeZone": "UTC"},
            "end": {"dateTime": (test_tomorrow + timedelta(hours=1)).isoformat(), "timeZone": "UTC"},
            "location": "Conference Room A",
            "description": "Weekly team sync",
            "organizer": {"email": "manager@example.com"},
            "attendees": [{"email": "colleague1@example.com"}, {"email": "colleague2@example.com"}],
            "conferenceData": {"conferenceUrl": "https://meet.google.com/abc-defg-hij"},
            "htmlLink": "https://calendar.google.com/calendar/event?eid=event1id",
            "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=10"],
        }
        super().__init__(
            id="80bc3ed1-e9a4-449e-8163-a8fc86f74f6a",
            description="Retrieves upcoming events from a Google Calendar with filtering options",
            categories={BlockCategory.PRODUCTIVITY, BlockCategory.DATA},
            input_schema=GoogleCalendarReadEventsBlock.Input,
            output_schema=GoogleCalendarReadEventsBlock.Output,
            disabled=not google_oauth_is_configured(),
            test_input={
                "credentials": TEST_CREDENTIALS_INPUT,
                "calendar_id": "primary",
                "max_events": 5,
                "start_time": test_now.isoformat(),
                "time_range_days": 7,
                "search_term": None,
                "include_declined_events": False,
                "page_token": None,
            },
            test_credentials=TEST_CREDENTIALS,
            test_output=[("event", test_event), ("events", [test_event])],
            test_mock={
                "_read_calendar": lambda *args, **kwargs: {"items": [api_event], "nextPageToken": None},
                "_format_events": lambda *args, **kwargs: [test_event],
            },
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        try:
            credentials = google_credentials(kwargs)
            start = input_data.start_time
            if start.tzinfo is None:  # Google needs an offset; a bare time is taken as UTC
                start = start.replace(tzinfo=UTC)
            async with GoogleApi(credentials, "Google Calendar") as service:
                result = await self._read_calendar(
                    service=service,
                    calendarId=input_data.calendar_id,
                    time_min=start.isoformat(),
                    time_max=(start + timedelta(days=input_data.time_range_days)).isoformat(),
                    max_results=input_data.max_events,
                    single_events=True,
                    search_term=input_data.search_term,
                    show_deleted=False,
                    show_hidden=input_data.include_declined_events,
                    page_token=input_data.page_token,
                )
            events = self._format_events(result.get("items", []))
            if next_page_token := result.get("nextPageToken"):
                yield "next_page_token", next_page_token
            for event in events:
                yield "event", event
            yield "events", events
        except Exception as exc:
            yield "error", str(exc) or type(exc).__name__

    async def _read_calendar(
        self,
        service: GoogleApi,
        calendarId: str,
        time_min: str,
        time_max: str,
        max_results: int,
        single_events: bool,
        search_term: str | None = None,
        show_deleted: bool = False,
        show_hidden: bool = False,
        page_token: str | None = None,
    ) -> dict[str, Any]:
        params = {
            "timeMin": time_min,
            "timeMax": time_max,
            "maxResults": max_results,
            "singleEvents": single_events,
            "orderBy": "startTime",
            "showDeleted": show_deleted,
            "showHiddenInvitations": show_hidden,
            "pageToken": page_token or None,
            "q": search_term or None,
        }
        return await service.get(f"{CALENDAR_API}/calendars/{quote(calendarId, safe='')}/events", params)

    def _format_events(self, events: list[dict[str, Any]]) -> list[CalendarEvent]:
        formatted = []
        for event in events:
            start, end = event.get("start", {}), event.get("end", {})
            is_all_day = "date" in start
            video_link = _video_link(event)
            formatted.append(
                CalendarEvent(
                    id=event.get("id", ""),
                    title=event.get("summary", "Untitled Event"),
                    start_time=start.get("date", "") if is_all_day else _readable(start.get("dateTime", "")),
                    end_time=end.get("date", "") if is_all_day else _readable(end.get("dateTime", "")),
                    is_all_day=is_all_day,
                    location=event.get("location"),
                    description=event.get("description"),
                    organizer=(event.get("organizer") or {}).get("email"),
                    attendees=[a["email"] for a in event.get("attendees", []) if a.get("email")],
                    has_video_call=video_link is not None,
                    video_link=video_link,
                    calendar_link=event.get("htmlLink", ""),
                    is_recurring=bool(event.get("recurrence")),
                )
            )
        return formatted
