"""The Gmail and Calendar blocks against a loopback Gmail/Calendar speaking the REST wire
format: the requests they send, the MIME they build, what they parse, how they fail."""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr

from agentplatform.blocks import BlockExecutionError
from agentplatform.blocks.builtin.gmail import (
    GmailAddLabelBlock,
    GmailForwardBlock,
    GmailReadBlock,
    GmailReplyBlock,
    GmailSendBlock,
    html_to_text,
)
from agentplatform.blocks.builtin.google_calendar import GoogleCalendarReadEventsBlock
from agentplatform.blocks.testing import execution_kwargs
from agentplatform.models.credentials import OAuth2Credentials
from tests.support.google_stub import google_services, text_message

ACCESS_TOKEN = "ya29.test-access-token-3c1d"
META = {"id": "c0ffee00-0000-4000-8000-000000000001", "provider": "google", "type": "oauth2"}


@pytest.fixture
def google():
    with google_services() as services:
        services.api.valid_tokens = {ACCESS_TOKEN}
        yield services.api


def _credentials(scopes: list[str] | None = None) -> OAuth2Credentials:
    return OAuth2Credentials(
        provider="google",
        access_token=SecretStr(ACCESS_TOKEN),
        access_token_expires_at=int(time.time()) + 3600,
        scopes=scopes or ["https://www.googleapis.com/auth/gmail.modify"],
    )


def run(block: Any, data: dict[str, Any], scopes: list[str] | None = None) -> list[tuple[str, Any]]:
    async def go():
        kwargs = {**execution_kwargs(block), "credentials": _credentials(scopes)}
        return [pair async for pair in block.execute({"credentials": META, **data}, **kwargs)]

    return asyncio.run(go())


def _text_part(message) -> Any:
    return next(part for part in message.walk() if part.get_content_maintype() == "text")


def test_read_lists_with_the_query_then_fetches_each_message_in_full(google):
    google.add(
        text_message(
            "m1", subject="Hello", sender="Bob <bob@example.com>", to="Ada <ada@example.com>", body="Hi Ada"
        )
    )
    google.add(
        text_message(
            "m2",
            subject="Report",
            sender="carol@example.com",
            to="ada@example.com, dan@example.com",
            cc="erin@example.com",
            body="",
            html="<p>Quarterly <b>numbers</b></p><p>See <a href='https://x.example/r'>report</a></p>",
            attachment=("q3.pdf", b"%PDF-1.4 numbers"),
        )
    )
    outputs = run(GmailReadBlock(), {"query": "is:unread newer_than:1d", "max_results": 5})
    assert [pin for pin, _ in outputs] == ["email", "email", "emails"]
    first, second = outputs[0][1], outputs[1][1]
    assert first.model_dump() == {
        "threadId": "thread-m1",
        "labelIds": ["INBOX", "UNREAD"],
        "id": "m1",
        "subject": "Hello",
        "snippet": "Hi Ada",
        "from_": "bob@example.com",
        "to": ["ada@example.com"],
        "cc": [],
        "bcc": [],
        "date": "Tue, 3 Jun 2025 09:00:00 +0000",
        "body": "Hi Ada",
        "sizeEstimate": 1006,
        "attachments": [],
    }
    assert second.to == ["ada@example.com", "dan@example.com"]
    assert second.cc == ["erin@example.com"]
    assert second.body == "Quarterly numbers\n\nSee [report](https://x.example/r)\n"
    assert [a.model_dump() for a in second.attachments] == [
        {"filename": "q3.pdf", "content_type": "application/pdf", "size": 16, "attachment_id": "att-m2"}
    ]
    assert outputs[2][1] == [first, second]
    listing = google.server.requests[0]
    assert listing.path.startswith("/gmail/v1/users/me/messages?")
    assert parse_qs(urlsplit(listing.path).query) == {"maxResults": ["5"], "q": ["is:unread newer_than:1d"]}
    assert {r.headers.get("Host") for r in google.server.requests} == {"gmail.googleapis.com"}
    assert all(r.headers.get("Authorization") == f"Bearer {ACCESS_TOKEN}" for r in google.server.requests)
    assert [parse_qs(urlsplit(r.path).query).get("format") for r in google.server.requests[1:]] == [
        ["full"],
        ["full"],
    ]


def test_read_with_only_the_metadata_scope_sends_no_query(google):
    google.add(text_message("m1", subject="S", sender="a@example.com", to="b@example.com", body="x"))
    outputs = run(
        GmailReadBlock(), {"query": "is:unread"}, scopes=["https://www.googleapis.com/auth/gmail.metadata"]
    )
    assert outputs[0][1].body == "This email does not contain a readable body."
    assert "q" not in parse_qs(urlsplit(google.server.requests[0].path).query)
    assert parse_qs(urlsplit(google.server.requests[1].path).query)["format"] == ["metadata"]


def test_an_empty_mailbox_yields_only_an_empty_list(google):
    assert run(GmailReadBlock(), {}) == [("emails", [])]


def test_send_builds_a_mime_message_without_hard_wraps(google):
    long_line = "word " * 40
    outputs = run(
        GmailSendBlock(),
        {
            "to": ["ada@example.com", "bob@example.com"],
            "cc": ["cc@example.com"],
            "subject": "Weekly update",
            "body": long_line,
            "attachments": ["data:text/csv;base64," + base64.b64encode(b"a,b\n1,2\n").decode()],
        },
    )
    ((pin, result),) = outputs
    assert pin == "result" and result == {"id": result["id"], "status": "sent"}
    (message,) = google.sent
    assert message["To"] == "ada@example.com, bob@example.com"
    assert message["Cc"] == "cc@example.com"
    assert message["Subject"] == "Weekly update"
    text = _text_part(message)
    assert text.get_content_type() == "text/plain"
    assert text.get_payload(decode=True).decode() == long_line  # one line: no 78-column wrap
    (attachment,) = [p for p in message.walk() if p.get_content_disposition() == "attachment"]
    assert attachment.get_payload(decode=True) == b"a,b\n1,2\n"


def test_send_detects_html_or_takes_the_content_type_given(google):
    run(GmailSendBlock(), {"to": ["a@example.com"], "subject": "s", "body": "<h1>Hi</h1>"})
    run(
        GmailSendBlock(),
        {"to": ["a@example.com"], "subject": "s", "body": "<h1>Hi</h1>", "content_type": "plain"},
    )
    assert [_text_part(m).get_content_type() for m in google.sent] == ["text/html", "text/plain"]


def test_send_needs_a_recipient_subject_and_body(google):
    with pytest.raises(BlockExecutionError, match="At least one recipient, subject, and body are required"):
        run(GmailSendBlock(), {"to": [], "subject": "s", "body": "b"})
    assert google.server.requests == []


def test_reply_threads_the_message_and_answers_the_reply_to_address(google):
    google.add(
        text_message(
            "p1",
            subject="Invoice 7",
            sender="Bob <bob@example.com>",
            to="ada@example.com",
            cc="carol@example.com",
            body="Please pay",
            thread_id="t9",
            extra_headers={"Reply-To": "billing@example.com", "References": "<older@mail.example.com>"},
        )
    )
    outputs = dict(
        run(GmailReplyBlock(), {"threadId": "t9", "parentMessageId": "p1", "body": "Paid, thanks"})
    )
    (message,) = google.sent
    assert google.sent_bodies[0]["threadId"] == "t9"
    assert message["To"] == "billing@example.com"
    assert message["Subject"] == "Re: Invoice 7"
    assert message["In-Reply-To"] == "<p1@mail.example.com>"
    assert message["References"] == "<older@mail.example.com> <p1@mail.example.com>"
    assert outputs["threadId"] == "t9"
    assert outputs["email"].to == ["billing@example.com"]
    assert outputs["email"].body == "Paid, thanks"
    parent_query = parse_qs(urlsplit(google.server.requests[0].path).query)
    assert parent_query["format"] == ["metadata"]
    assert parent_query["metadataHeaders"] == [
        "Subject",
        "References",
        "Message-ID",
        "From",
        "To",
        "Cc",
        "Reply-To",
    ]


def test_reply_all_answers_everyone_once(google):
    google.add(
        text_message(
            "p1",
            subject="Re: Plan",
            sender="bob@example.com",
            to="ada@example.com, bob@example.com",
            cc="carol@example.com",
            body="x",
        )
    )
    run(GmailReplyBlock(), {"threadId": "t", "parentMessageId": "p1", "body": "ok", "replyAll": True})
    (message,) = google.sent
    assert message["To"] == "bob@example.com, ada@example.com, carol@example.com"
    assert message["Subject"] == "Re: Plan"


def test_forward_quotes_the_original_and_carries_its_attachments(google):
    google.add(
        text_message(
            "m1",
            subject="Contract",
            sender="bob@example.com",
            to="ada@example.com",
            body="Signed copy attached",
            attachment=("contract.pdf", b"%PDF signed"),
        )
    )
    outputs = run(
        GmailForwardBlock(), {"messageId": "m1", "to": ["legal@example.com"], "forwardMessage": "FYI"}
    )
    assert [pin for pin, _ in outputs] == ["messageId", "threadId", "status"]
    assert outputs[2] == ("status", "forwarded")
    (message,) = google.sent
    assert message["Subject"] == "Fwd: Contract"
    text = _text_part(message).get_payload(decode=True).decode()
    assert text.startswith("FYI\n\n\n---------- Forwarded message ---------\nFrom: bob@example.com\n")
    assert text.endswith("Signed copy attached")
    (attachment,) = [p for p in message.walk() if p.get_content_disposition() == "attachment"]
    assert attachment.get_filename() == "contract.pdf"
    assert attachment.get_payload(decode=True) == b"%PDF signed"


def test_add_label_creates_a_missing_label_then_applies_it(google):
    google.add(text_message("m1", subject="S", sender="a@example.com", to="b@example.com", body="x"))
    ((pin, result),) = run(GmailAddLabelBlock(), {"message_id": "m1", "label_name": "agent-processed"})
    (label,) = [label for label in google.labels if label["name"] == "agent-processed"]
    assert (pin, result) == ("result", {"status": "Label added successfully", "label_id": label["id"]})
    assert label["id"] in google.messages["m1"]["labelIds"]
    run(GmailAddLabelBlock(), {"message_id": "m1", "label_name": "agent-processed"})
    assert [label["name"] for label in google.labels].count("agent-processed") == 1


def test_calendar_reads_the_window_and_flattens_events(google):
    google.events = [
        {
            "id": "e1",
            "summary": "Design review",
            "start": {"dateTime": "2025-06-04T09:00:00Z"},
            "end": {"dateTime": "2025-06-04T10:00:00Z"},
            "organizer": {"email": "lead@example.com"},
            "attendees": [{"email": "ada@example.com"}, {"email": "bob@partner.example"}],
            "conferenceData": {
                "entryPoints": [{"entryPointType": "video", "uri": "https://meet.google.com/x"}]
            },
            "htmlLink": "https://calendar.google.com/event?eid=e1",
        },
        {"id": "e2", "summary": "Offsite", "start": {"date": "2025-06-05"}, "end": {"date": "2025-06-06"}},
    ]
    outputs = run(
        GoogleCalendarReadEventsBlock(),
        {"start_time": "2025-06-03T23:00:00.000Z", "time_range_days": 2, "max_events": 10},
    )
    assert [pin for pin, _ in outputs] == ["event", "event", "events"]
    assert outputs[0][1].model_dump() == {
        "id": "e1",
        "title": "Design review",
        "start_time": "2025-06-04 09:00",
        "end_time": "2025-06-04 10:00",
        "is_all_day": False,
        "location": None,
        "description": None,
        "organizer": "lead@example.com",
        "attendees": ["ada@example.com", "bob@partner.example"],
        "has_video_call": True,
        "video_link": "https://meet.google.com/x",
        "calendar_link": "https://calendar.google.com/event?eid=e1",
        "is_recurring": False,
    }
    assert (outputs[1][1].start_time, outputs[1][1].is_all_day) == ("2025-06-05", True)
    (request,) = google.server.requests
    assert request.headers.get("Host") == "www.googleapis.com"
    assert urlsplit(request.path).path == "/calendar/v3/calendars/primary/events"
    assert parse_qs(urlsplit(request.path).query) == {
        "timeMin": ["2025-06-03T23:00:00+00:00"],
        "timeMax": ["2025-06-05T23:00:00+00:00"],
        "maxResults": ["10"],
        "singleEvents": ["true"],
        "orderBy": ["startTime"],
        "showDeleted": ["false"],
        "showHiddenInvitations": ["false"],
    }


@pytest.mark.parametrize("status", [401, 403, 404, 500, 503])
def test_google_errors_fail_the_block_with_the_status_and_no_token(google, status):
    google.add(text_message("m1", subject="S", sender="a@example.com", to="b@example.com", body="x"))
    if status == 401:
        google.valid_tokens = set()
    else:
        google.fail_with(status)
    with pytest.raises(BlockExecutionError) as raised:
        run(GmailReadBlock(), {})
    message = str(raised.value)
    assert f"Gmail API error {status}: " in message
    assert ACCESS_TOKEN not in message


def test_calendar_errors_come_out_on_the_error_pin(google):
    google.fail_with(500)
    with pytest.raises(BlockExecutionError) as raised:
        run(GoogleCalendarReadEventsBlock(), {})
    assert str(raised.value).startswith(
        "raised by GoogleCalendarReadEventsBlock with message: Google Calendar API error 500: Backend Error 500"
    )


def test_html_to_text_keeps_structure_and_links_and_drops_scripts():
    html = "<html><head><style>p{}</style></head><body><h1>Title</h1><p>a &amp; b<br>c</p><script>x()</script></body></html>"
    assert html_to_text(html) == "Title\n\na & b\nc\n"
