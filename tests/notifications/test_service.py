"""The notifications Lambda on the real queue: preferences, WebSocket push, immediate and
batched email, admin mail, suppression, duplicates and the handler's partial failures."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.conftest import OTHER_USER_ID, USER_ID
from tests.notifications.conftest import ADMIN_MAILBOX
from tests.support.notifications import EMAIL, later, outbox, set_preference, text_of

LOW_BALANCE = {"current_balance": 120, "billing_page_link": "https://app.example.com/profile/credits"}


def agent_run(name: str = "Echo", graph_id: str = "graph-1") -> dict[str, Any]:
    return {
        "agent_name": name,
        "credits_used": 3,
        "execution_time": 1.5,
        "node_count": 3,
        "graph_id": graph_id,
        "outputs": [{"output": ["hello"], "name": "y"}],
    }


def publish(kind: str, data: dict[str, Any], event_id: str, user_id: str = USER_ID) -> None:
    from agentplatform.models.user import NotificationType
    from agentplatform.notifications import publish as queue_it

    assert queue_it(user_id, NotificationType(kind), data, event_id=event_id) is True


def service(**clock: float) -> Any:
    from agentplatform.notifications.service import NotificationService

    return NotificationService(clock=later(**clock)) if clock else NotificationService()


# ------------------------------------------------------------- immediate types


def test_an_immediate_notification_is_one_email_and_one_websocket_message_for_its_user_only(
    notifications, users, sockets
):
    mine, theirs = sockets
    publish("LOW_BALANCE", LOW_BALANCE, "LOW_BALANCE:n1")
    assert notifications.drain() == 1

    [message] = outbox(notifications.outbox)
    assert message["To"] == EMAIL
    assert message["Subject"] == "Low Balance Warning!"
    assert "$1.20" in text_of(message)
    [pushed] = mine.messages()
    assert pushed == {
        "method": "notification",
        "data": {
            "type": "notification",
            "event": "LOW_BALANCE",
            "id": "LOW_BALANCE:n1",
            "created_at": pushed["data"]["created_at"],
            "data": LOW_BALANCE,
        },
        "success": None,
        "channel": None,
        "error": None,
    }
    assert theirs.messages() == []


def test_a_connection_gone_when_pushed_to_is_forgotten_with_its_subscriptions(notifications, users, sockets):
    from agentplatform.store.connections import ConnectionRepository
    from tests.support.notifications import CapturedSocket

    connections = ConnectionRepository()
    gone = CapturedSocket(USER_ID)
    connections.subscribe(gone.connection_id, "run-1")
    assert connections.watched(["run-1"]) == {"run-1"}
    gone.close()  # the gateway answers 410 Gone from now on

    publish("LOW_BALANCE", LOW_BALANCE, "LOW_BALANCE:n1")
    notifications.drain()

    assert [m["data"]["event"] for m in sockets[0].messages()] == ["LOW_BALANCE"]
    assert connections.get(gone.connection_id) is None
    assert connections.subscribers("run-1") == []
    assert connections.watched(["run-1"]) == set()  # nobody left to watch: the fan-out skips it


def test_every_user_email_carries_a_one_click_unsubscribe_link_for_that_user(notifications, users):
    from agentplatform.email.tokens import user_of_token

    publish("LOW_BALANCE", LOW_BALANCE, "LOW_BALANCE:n1")
    notifications.drain()

    [message] = outbox(notifications.outbox)
    link = message["List-Unsubscribe"]
    assert link.startswith("<https://api.example.com/api/email/unsubscribe?token=") and link.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = parse_qs(urlparse(link[1:-1]).query)["token"][0]
    assert user_of_token(token) == USER_ID
    assert "https://app.example.com/profile/settings" in text_of(message)


def test_a_type_turned_off_sends_neither_email_nor_websocket_message(notifications, users, sockets):
    set_preference(USER_ID, EMAIL, LOW_BALANCE=False)
    publish("LOW_BALANCE", LOW_BALANCE, "LOW_BALANCE:n1")
    notifications.drain()

    assert outbox(notifications.outbox) == []
    assert sockets[0].messages() == []


def test_an_event_published_twice_is_delivered_once(notifications, users, sockets):
    publish("LOW_BALANCE", LOW_BALANCE, "LOW_BALANCE:n1")
    publish("LOW_BALANCE", LOW_BALANCE, "LOW_BALANCE:n1")
    assert notifications.drain() == 2

    assert len(outbox(notifications.outbox)) == 1
    assert len(sockets[0].messages()) == 1


def test_no_mail_to_a_suppressed_or_unverified_address_but_the_websocket_message_still_goes(
    notifications, users, sockets
):
    from agentplatform.store.email import SuppressionList
    from agentplatform.store.table import Table

    SuppressionList().suppress(EMAIL.upper(), "test")  # addresses compare case-blind
    publish("LOW_BALANCE", LOW_BALANCE, "LOW_BALANCE:n1")
    notifications.drain()
    assert outbox(notifications.outbox) == []
    assert len(sockets[0].messages()) == 1

    from agentplatform.store import keys

    Table().update(keys.user_pk(OTHER_USER_ID), keys.PROFILE, "SET email_verified = :f", values={":f": False})
    publish("LOW_BALANCE", LOW_BALANCE, "LOW_BALANCE:n2", user_id=OTHER_USER_ID)
    notifications.drain()
    assert outbox(notifications.outbox) == []


@pytest.mark.parametrize("setting", ["UNSUBSCRIBE_SECRET_KEY", "PLATFORM_BASE_URL"])
def test_without_what_an_unsubscribe_link_needs_nothing_is_mailed(
    notifications, users, sockets, monkeypatch, setting
):
    from agentplatform.config import get_settings

    monkeypatch.delenv(setting)
    get_settings.cache_clear()
    publish("LOW_BALANCE", LOW_BALANCE, "LOW_BALANCE:n1")
    notifications.drain()

    assert outbox(notifications.outbox) == []
    assert [m["data"]["event"] for m in sockets[0].messages()] == ["LOW_BALANCE"]  # pushed all the same


# --------------------------------------------------------------------- batches


def test_agent_runs_are_batched_per_user_and_mailed_once_when_the_oldest_is_a_day_old(
    notifications, users, sockets
):
    from agentplatform.models.user import NotificationType

    publish("AGENT_RUN", agent_run("First"), "AGENT_RUN:r1")
    publish("AGENT_RUN", agent_run("Second"), "AGENT_RUN:r2")
    publish("AGENT_RUN", agent_run("Theirs"), "AGENT_RUN:r3", user_id=OTHER_USER_ID)
    notifications.drain()
    assert outbox(notifications.outbox) == []  # not due yet
    assert [m["data"]["data"]["agent_name"] for m in sockets[0].messages()] == ["First", "Second"]

    service(hours=23).flush_batch(USER_ID, NotificationType.AGENT_RUN)  # still not due
    assert outbox(notifications.outbox) == []

    service(days=1, minutes=1).flush_batch(USER_ID, NotificationType.AGENT_RUN)
    [message] = outbox(notifications.outbox)
    assert message["To"] == EMAIL
    assert message["Subject"] == "Agent Run Report"
    body = text_of(message)
    assert "2 agent runs finished" in body
    assert body.index("First") < body.index("Second")
    assert "Theirs" not in body

    service(days=1, minutes=1).flush_batch(USER_ID, NotificationType.AGENT_RUN)  # emptied: nothing more
    assert len(outbox(notifications.outbox)) == 1


def test_the_hourly_flush_queues_only_due_batches(notifications, users):
    from agentplatform.notifications.service import NotificationService

    publish("AGENT_RUN", agent_run("Mine"), "AGENT_RUN:r1")
    publish("BLOCK_EXECUTION_FAILED", _block_failed(), "BLOCK_EXECUTION_FAILED:n1", user_id=OTHER_USER_ID)
    notifications.drain()

    # An hour on: the failure is due (60 minutes), the run (a day) is not.
    assert service(hours=1, minutes=1).queue_due_flushes() == 1
    flush = NotificationService(clock=later(hours=1, minutes=1))
    _drain_with(notifications, flush)
    [message] = outbox(notifications.outbox)
    assert message["Subject"] == "Uh oh! Block Execution Failed"
    assert message["To"] == "other@example.com"


def test_a_new_event_for_a_due_batch_sends_the_batch_at_once(notifications, users):
    from datetime import UTC, datetime, timedelta

    from agentplatform.models.notifications import NotificationEvent
    from agentplatform.models.user import NotificationType

    old = NotificationEvent(
        id="AGENT_RUN:old",
        user_id=USER_ID,
        type=NotificationType.AGENT_RUN,
        data=agent_run("Yesterday"),
        created_at=datetime.now(UTC) - timedelta(days=2),
    )
    service().notify(old)  # batched: its batch was due at once, so it went out alone
    publish("AGENT_RUN", agent_run("Today"), "AGENT_RUN:new")
    notifications.drain()

    messages = outbox(notifications.outbox)
    assert [("Yesterday" in text_of(m), "Today" in text_of(m)) for m in messages] == [(True, False)]


def test_a_batch_whose_type_was_turned_off_meanwhile_is_dropped(notifications, users):
    from agentplatform.models.user import NotificationType

    publish("AGENT_RUN", agent_run(), "AGENT_RUN:r1")
    notifications.drain()
    set_preference(USER_ID, EMAIL, AGENT_RUN=False)

    service(days=2).flush_batch(USER_ID, NotificationType.AGENT_RUN)
    set_preference(USER_ID, EMAIL, AGENT_RUN=True)
    service(days=2).flush_batch(USER_ID, NotificationType.AGENT_RUN)
    assert outbox(notifications.outbox) == []


# ----------------------------------------------------------------- admin types


def test_refund_requests_go_to_the_admin_mailbox_without_unsubscribe_or_websocket(
    notifications, users, sockets
):
    set_preference(USER_ID, EMAIL, REFUND_REQUEST=False)  # the user's preferences do not apply
    data = {
        "user_id": USER_ID,
        "user_name": "Ada",
        "user_email": EMAIL,
        "transaction_id": "pi_1",
        "refund_request_id": "2025-01-user",
        "reason": "unused",
        "amount": 1500,
        "balance": 200,
    }
    publish("REFUND_REQUEST", data, "REFUND_REQUEST:2025-01-user")
    notifications.drain()

    [message] = outbox(notifications.outbox)
    assert message["To"] == ADMIN_MAILBOX
    assert message["Subject"] == "[ACTION REQUIRED] You got a $15.00 refund request from Ada"
    assert message["List-Unsubscribe"] is None
    assert "pi_1" in text_of(message)
    assert sockets[0].messages() == []


# ----------------------------------------------------- the handler and the queue


def test_a_bad_message_fails_alone_and_the_rest_of_the_batch_is_handled(notifications, users):
    from agentplatform.aws import client
    from functions.notifications.consumer import handler
    from local.lambdas import LambdaContext
    from local.notifications import sqs_event

    publish("LOW_BALANCE", LOW_BALANCE, "LOW_BALANCE:n1")
    client("sqs").send_message(QueueUrl=notifications.queue_url, MessageBody='{"task": "nonsense"}')
    received = client("sqs").receive_message(QueueUrl=notifications.queue_url, MaxNumberOfMessages=10)[
        "Messages"
    ]
    bad = next(m["MessageId"] for m in received if "nonsense" in m["Body"])

    response = handler(sqs_event(received, notifications.queue_arn), LambdaContext())
    assert response == {"batchItemFailures": [{"itemIdentifier": bad}]}
    assert len(outbox(notifications.outbox)) == 1


def test_an_ses_bounce_event_on_the_queue_suppresses_the_address(notifications, users):
    import json

    from agentplatform.aws import client
    from agentplatform.store.email import SuppressionList

    event = {
        "source": "aws.ses",
        "detail-type": "Email Bounced",
        "detail": {
            "eventType": "Bounce",
            "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": EMAIL}]},
            "mail": {"destination": [EMAIL]},
        },
    }
    client("sqs").send_message(QueueUrl=notifications.queue_url, MessageBody=json.dumps(event))
    notifications.drain()
    assert SuppressionList().is_suppressed(EMAIL)

    publish("LOW_BALANCE", LOW_BALANCE, "LOW_BALANCE:n1")
    notifications.drain()
    assert outbox(notifications.outbox) == []


def test_ses_transport_sends_the_raw_message_with_its_headers(notifications, users, monkeypatch):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from agentplatform.aws import client
    from agentplatform.config import get_settings

    monkeypatch.setenv("EMAIL_TRANSPORT", "ses")
    monkeypatch.setenv("EMAIL_FROM_ADDRESS", "noreply@example.com")
    get_settings.cache_clear()
    client("sesv2").create_email_identity(EmailIdentity="example.com")

    publish("LOW_BALANCE", LOW_BALANCE, "LOW_BALANCE:n1")
    notifications.drain()

    [sent] = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    assert sent.destinations == [EMAIL]
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in sent.raw_data
    assert outbox(notifications.outbox) == []


def _block_failed() -> dict[str, Any]:
    return {
        "block_name": "StoreValueBlock",
        "block_id": "b",
        "error_message": "boom",
        "graph_id": "g",
        "node_id": "n",
        "execution_id": "e",
    }


def _drain_with(notifications: Any, service_: Any) -> None:
    """Run the queued messages through ``service_`` (a clock of its own) instead of the handler."""
    from agentplatform.aws import client
    from agentplatform.notifications.service import parse_message

    sqs = client("sqs")
    while True:
        received = sqs.receive_message(QueueUrl=notifications.queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not received:
            return
        for message in received:
            service_.handle(parse_message(message["Body"]))
            sqs.delete_message(QueueUrl=notifications.queue_url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture(autouse=True)
def _fresh_settings() -> Any:
    yield
    from agentplatform.config import get_settings

    get_settings.cache_clear()
