"""Notifications in tests: the local pipeline without its threads, the outbox, a socket.

``notifications`` (fixture in the tests that use it) is ``LocalNotifications`` started on
the test's moto cloud with no background threads: ``drain()`` runs the queue's messages
through the real handler, deterministically.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

EMAIL = "user@example.com"
OTHER_EMAIL = "other@example.com"


def outbox(directory: Path) -> list[EmailMessage]:
    """The messages delivered to the outbox, oldest first."""
    if not directory.exists():
        return []
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for path in sorted(directory.glob("*.eml"))
    ]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def with_email(user_id: str, address: str) -> None:
    from agentplatform.store.users import UserRepository

    UserRepository().get_or_create(user_id)
    UserRepository().update_email(user_id, address)


def set_preference(user_id: str, address: str, **wanted: bool) -> None:
    from agentplatform.models.user import NotificationPreferenceDTO, default_preferences
    from agentplatform.store.users import UserRepository

    preferences = {**default_preferences(), **{k: v for k, v in wanted.items()}}
    UserRepository().update_preferences(
        user_id, NotificationPreferenceDTO(email=address, preferences=preferences)
    )


def later(**delta: float) -> Any:
    """A clock that reads ``delta`` from now (the service takes a clock)."""
    moment = datetime.now(UTC) + timedelta(**delta)
    return lambda: moment


class CapturedSocket:
    """A user's WebSocket connection as the local cloud's management API sees it: posts
    through moto's API Gateway management API land in this socket's queue."""

    def __init__(self, user_id: str):
        from agentplatform.store.connections import ConnectionRepository
        from local.websocket import LIVE, install_management_api, new_connection_id

        install_management_api()
        self.connection_id = new_connection_id()
        self.loop = asyncio.new_event_loop()
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        LIVE.open(self.connection_id, self.loop, self.queue)
        now = datetime.now(UTC)
        ConnectionRepository().add(
            self.connection_id, user_id, connected_at=now.isoformat(), expires_at=int(time.time()) + 3600
        )

    def messages(self) -> list[dict[str, Any]]:
        self.loop.run_until_complete(asyncio.sleep(0))  # run the posts scheduled on this loop
        received = []
        while not self.queue.empty():
            received.append(json.loads(self.queue.get_nowait()))
        return received

    def close(self) -> None:
        from local.websocket import LIVE

        LIVE.forget(self.connection_id)
        self.loop.close()


def settled(graph_exec_id: str, limit_seconds: float = 60.0) -> None:
    """Wait until the run's state machine execution has ended: ``finalize`` publishes
    after the run's status is written, so a finished status alone does not mean its
    notifications are on the queue yet. (A ceiling, not a timing assertion.)"""
    from agentplatform.aws import client
    from agentplatform.config import get_settings

    machine = get_settings().state_machine_arn
    arn = machine.replace(":stateMachine:", ":execution:") + f":{graph_exec_id}"
    deadline = time.monotonic() + limit_seconds
    while client("stepfunctions").describe_execution(executionArn=arn)["status"] == "RUNNING":
        if time.monotonic() > deadline:
            raise AssertionError(f"the state machine of run {graph_exec_id} did not end")
        time.sleep(0.05)


def handled(user_id: str, event_id: str, limit_seconds: float = 60.0) -> None:
    """Wait until the notifications Lambda has finished with an event (its claim is
    ``done``): what it does is then all done. (A ceiling, not a timing assertion.)"""
    from agentplatform.store import keys
    from agentplatform.store.table import Table

    deadline = time.monotonic() + limit_seconds
    while (
        Table().get(keys.user_pk(user_id), keys.notification_claim_sk(event_id), consistent=True) or {}
    ).get("state") != "done":
        if time.monotonic() > deadline:
            raise AssertionError(f"notification {event_id} was not handled")
        time.sleep(0.05)
