"""Acceptance, on the local cloud over real sockets: a finished run notifies its user
once (WebSocket ``notification`` message, then one email in the outbox when the batch is
due), nobody else; the email's one-click link turns notifications off; a bounce stops
the mail."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import USER_ID
from tests.support.graphs import input_store_output_graph
from tests.support.notifications import handled, later, outbox
from tests.ws.support import Client

os.environ.setdefault("GRAPH_RUN_RETRY_INTERVAL", "1")
os.environ.setdefault("GRAPH_RUN_POLL_SECONDS", "1")
os.environ.setdefault("GRAPH_RUN_MAX_CONCURRENCY", "4")

WEBHOOK_TOKEN = "acceptance-postmark-token"


def _http(ws_server: Any, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"http://127.0.0.1:{ws_server.port}",
        headers={"authorization": f"Bearer {token}"},
        timeout=60,
    )


def _run(http: httpx.Client, graph: dict[str, Any]) -> str:
    started = http.post(f"/api/graphs/{graph['id']}/execute/{graph['version']}", json={"inputs": {"x": "hi"}})
    assert started.status_code == 200, started.text
    run_id = str(started.json()["id"])
    for _ in range(1200):  # a ceiling: a run that never ends fails the test
        run = http.get(f"/api/graphs/{graph['id']}/executions/{run_id}").json()
        if run["status"] in ("COMPLETED", "FAILED", "TERMINATED"):
            assert run["status"] == "COMPLETED"
            handled(USER_ID, f"AGENT_RUN:{run_id}")
            return run_id
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish")


def _flush_due_batch() -> None:
    """The hourly flush, a day later: the AGENT_RUN batch is due."""
    from agentplatform.models.user import NotificationType
    from agentplatform.notifications.service import NotificationService

    NotificationService(clock=later(days=1, minutes=1)).flush_batch(USER_ID, NotificationType.AGENT_RUN)


def _preferences(http: httpx.Client, *, on: bool, address: str) -> dict[str, Any]:
    from agentplatform.models.user import NotificationType

    body = {"email": address, "preferences": {k.value: on for k in NotificationType}, "daily_limit": 10}
    response = http.post("/api/auth/user/preferences", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture
def base_url(ws_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """As ``make dev`` sets it: the local cloud's own address."""
    from agentplatform.config import get_settings

    url = f"http://127.0.0.1:{ws_server.port}"
    monkeypatch.setenv("PLATFORM_BASE_URL", url)
    get_settings.cache_clear()
    yield url
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def webhook_token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("POSTMARK_WEBHOOK_TOKEN", WEBHOOK_TOKEN)
    return WEBHOOK_TOKEN


def test_a_finished_run_notifies_its_user_once_until_unsubscribed_or_bounced(
    ws_server, user_token, other_token, webhook_token, base_url
):
    box = ws_server.gateway.notifications.outbox
    before = len(outbox(box))
    address = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    with (
        _http(ws_server, user_token) as http,
        Client(ws_server.url(user_token), notifications=True) as mine,
        Client(ws_server.url(other_token), notifications=True) as theirs,
    ):
        assert http.post("/api/auth/user/email", json=address).status_code == 200
        _preferences(http, on=True, address=address)
        graph = http.post("/api/graphs", json={"graph": input_store_output_graph("Acceptance")}).json()

        # 1. A run: one WebSocket notification for me, none for the other user ...
        run_id = _run(http, graph)
        note = mine.recv()
        assert note["method"] == "notification"
        assert (note["data"]["event"], note["data"]["id"]) == ("AGENT_RUN", f"AGENT_RUN:{run_id}")
        assert note["data"]["data"]["agent_name"] == "Acceptance"
        assert note["data"]["data"]["outputs"] == [{"output": ["hi"], "name": "y"}]
        assert mine.ping()["data"] == "pong"  # exactly one
        assert theirs.ping()["data"] == "pong"  # nothing for them
        # ... and one email once the batch is due.
        assert len(outbox(box)) == before
        _flush_due_batch()
        [email] = outbox(box)[before:]
        assert email["To"] == address
        assert email["Subject"] == "Agent Run Report"
        assert "Acceptance" in email.get_body(("plain",)).get_content()

        # 2. The email's one-click link (RFC 8058: POST "List-Unsubscribe=One-Click").
        link = email["List-Unsubscribe"].strip("<>")
        assert link.startswith(f"{base_url}/api/email/unsubscribe?token=")
        assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        clicked = httpx.post(
            link,
            content="List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert clicked.status_code == 200, clicked.text
        preferences = http.get("/api/auth/user/preferences").json()
        assert not any(preferences["preferences"].values())

        _run(http, graph)
        assert mine.ping()["data"] == "pong"  # no notification
        _flush_due_batch()
        assert len(outbox(box)) == before + 1

        # 3. Back on, then the address bounces: the WebSocket still says so, no more mail.
        _preferences(http, on=True, address=address)
        bounce = {"RecordType": "Bounce", "TypeCode": 1, "Email": address, "Type": "HardBounce"}
        refused = httpx.post(f"http://127.0.0.1:{ws_server.port}/api/email/", json=bounce)
        assert refused.status_code == 401
        accepted = httpx.post(
            f"http://127.0.0.1:{ws_server.port}/api/email/",
            json=bounce,
            headers={"X-Postmark-Webhook-Token": webhook_token},
        )
        assert accepted.status_code == 200, accepted.text

        third = _run(http, graph)
        assert mine.recv()["data"]["id"] == f"AGENT_RUN:{third}"
        _flush_due_batch()
        assert len(outbox(box)) == before + 1
