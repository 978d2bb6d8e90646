"""The notifications pipeline on a fresh moto cloud, drained by hand (no threads)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import OTHER_USER_ID, USER_ID
from tests.support.notifications import EMAIL, OTHER_EMAIL, CapturedSocket, with_email

os.environ.setdefault("GRAPH_RUN_RETRY_INTERVAL", "1")
os.environ.setdefault("GRAPH_RUN_POLL_SECONDS", "1")
os.environ.setdefault("GRAPH_RUN_MAX_CONCURRENCY", "4")

ADMIN_MAILBOX = "refunds@example.com"


@pytest.fixture
def notifications(cloud: object, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from agentplatform.config import get_settings
    from local.notifications import LocalNotifications
    from local.websocket import LOCAL_CALLBACK_URL

    monkeypatch.setenv("EMAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("WEBSOCKET_CALLBACK_URL", LOCAL_CALLBACK_URL)
    monkeypatch.setenv("REFUND_NOTIFICATION_EMAIL", ADMIN_MAILBOX)
    monkeypatch.setenv("FRONTEND_BASE_URL", "https://app.example.com")
    monkeypatch.setenv("PLATFORM_BASE_URL", "https://api.example.com")
    local = LocalNotifications(None, background=False).start()
    try:
        yield local
    finally:
        monkeypatch.undo()  # first: then stop() restores what it set itself
        local.stop()
        get_settings.cache_clear()


@pytest.fixture
def users(notifications: Any) -> None:
    """Both test users exist, with an email address each."""
    with_email(USER_ID, EMAIL)
    with_email(OTHER_USER_ID, OTHER_EMAIL)


@pytest.fixture
def sockets(notifications: Any) -> Iterator[tuple[CapturedSocket, CapturedSocket]]:
    """One open WebSocket connection per test user."""
    mine, theirs = CapturedSocket(USER_ID), CapturedSocket(OTHER_USER_ID)
    try:
        yield mine, theirs
    finally:
        mine.close()
        theirs.close()
