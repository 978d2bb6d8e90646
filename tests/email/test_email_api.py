"""``/api/email``: one-click unsubscribe (signed tokens) and Postmark feedback webhooks."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.conftest import OTHER_USER_ID, USER_ID
from tests.support.notifications import EMAIL, OTHER_EMAIL, with_email

SECRET = "unsubscribe-secret-for-tests-0123456789"
WEBHOOK_TOKEN = "postmark-webhook-token-for-tests"


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> Any:
    from agentplatform.config import get_settings

    monkeypatch.setenv("UNSUBSCRIBE_SECRET_KEY", SECRET)
    monkeypatch.setenv("POSTMARK_WEBHOOK_TOKEN", WEBHOOK_TOKEN)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def both_users(cloud: object) -> None:
    with_email(USER_ID, EMAIL)
    with_email(OTHER_USER_ID, OTHER_EMAIL)


def _token(user_id: str) -> str:
    from agentplatform.email.tokens import unsubscribe_token

    return unsubscribe_token(user_id)


def _preferences(api: Any) -> dict[str, Any]:
    response = api.get("/api/auth/user/preferences")
    assert response.status_code == 200, response.content
    return dict(response.json())


# ----------------------------------------------------------------- unsubscribe


def test_one_click_unsubscribe_turns_every_notification_off_for_that_user_only(
    anonymous_api, api, other_api, both_users
):
    response = anonymous_api.post(
        "/api/email/unsubscribe",
        params={"token": _token(USER_ID)},
        body="List-Unsubscribe=One-Click",  # what RFC 8058 mail clients send
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok"}

    mine = _preferences(api)
    assert set(mine["preferences"].values()) == {False}
    assert len(mine["preferences"]) == 12
    assert mine["daily_limit"] == 0
    assert mine["email"] == EMAIL
    theirs = _preferences(other_api)
    assert set(theirs["preferences"].values()) == {True}


def test_the_token_is_upstreams_format(cloud):
    import hashlib
    import hmac

    decoded = base64.urlsafe_b64decode(_token(USER_ID)).decode()
    signature = hmac.new(SECRET.encode(), USER_ID.encode(), hashlib.sha256).hexdigest()
    assert decoded == f"{USER_ID}:{signature}"


@pytest.mark.parametrize(
    "token",
    [
        base64.urlsafe_b64encode(f"{USER_ID}:{'0' * 64}".encode()).decode(),  # wrong signature
        base64.urlsafe_b64encode(USER_ID.encode()).decode(),  # no signature
        "%%%not-base64%%%",
    ],
)
def test_a_forged_or_garbled_token_is_refused_and_changes_nothing(anonymous_api, api, both_users, token):
    response = anonymous_api.post("/api/email/unsubscribe", params={"token": token})

    assert response.status_code == 400
    assert response.json() == {
        "message": "Failed to process POST /api/email/unsubscribe",
        "detail": "Invalid unsubscribe token",
        "hint": "Adjust the request and retry.",
    }
    assert set(_preferences(api)["preferences"].values()) == {True}


def test_a_token_signed_with_another_secret_is_refused(anonymous_api, both_users, monkeypatch):
    from agentplatform.config import get_settings

    monkeypatch.setenv("UNSUBSCRIBE_SECRET_KEY", "another-secret")
    get_settings.cache_clear()
    forged = _token(USER_ID)
    monkeypatch.setenv("UNSUBSCRIBE_SECRET_KEY", SECRET)

    assert anonymous_api.post("/api/email/unsubscribe", params={"token": forged}).status_code == 400


def test_a_genuine_token_of_an_unknown_user_is_404(anonymous_api, cloud):
    response = anonymous_api.post("/api/email/unsubscribe", params={"token": _token("no-such-user")})
    assert response.status_code == 404


def test_unsubscribe_without_a_token_is_422_and_without_a_secret_503(anonymous_api, both_users, monkeypatch):
    assert anonymous_api.post("/api/email/unsubscribe").status_code == 422
    token = _token(USER_ID)
    monkeypatch.delenv("UNSUBSCRIBE_SECRET_KEY")
    response = anonymous_api.post("/api/email/unsubscribe", params={"token": token})
    assert response.status_code == 503
    assert "UNSUBSCRIBE_SECRET_KEY" in response.json()["detail"]


# -------------------------------------------------------------------- webhooks


def _bounce(type_code: int, address: str = EMAIL) -> dict[str, Any]:
    return {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "TypeCode": type_code,
        "Tag": "",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": address,
        "From": "noreply@example.com",
        "BouncedAt": "2025-01-01T00:00:00Z",
        "Inactive": True,
        "DumpAvailable": False,
        "CanActivate": True,
        "Subject": "Agent Run Report",
        "ServerID": 23,
        "MessageStream": "outbound",
        "Content": "",
        "Name": "Hard bounce",
        "Description": "The server was unable to deliver your message",
        "Metadata": {},
    }


def _webhook(client: Any, body: dict[str, Any], token: str | None = WEBHOOK_TOKEN) -> Any:
    headers = {} if token is None else {"X-Postmark-Webhook-Token": token}
    return client.post("/api/email/", json_body=body, headers=headers)


def _suppressed(address: str) -> bool:
    from agentplatform.store.email import SuppressionList

    return SuppressionList().is_suppressed(address)


def test_a_hard_bounce_suppresses_the_address(anonymous_api, both_users):
    response = _webhook(anonymous_api, _bounce(1))

    assert response.status_code == 200
    assert response.json() is None
    assert _suppressed(EMAIL) and _suppressed(EMAIL.upper())
    assert not _suppressed(OTHER_EMAIL)


@pytest.mark.parametrize("type_code", [2, 256, 4096])  # Transient, DnsError, SoftBounce
def test_a_soft_bounce_does_not(anonymous_api, both_users, type_code):
    assert _webhook(anonymous_api, _bounce(type_code)).status_code == 200
    assert not _suppressed(EMAIL)


def test_a_spam_complaint_suppresses_the_address(anonymous_api, both_users):
    body = {**_bounce(100001), "RecordType": "SpamComplaint", "Type": "SpamComplaint"}
    assert _webhook(anonymous_api, body).status_code == 200
    assert _suppressed(EMAIL)


def test_delivery_and_open_records_are_accepted_and_change_nothing(anonymous_api, both_users):
    delivery = {"RecordType": "Delivery", "Recipient": EMAIL, "MessageID": "m", "DeliveredAt": "now"}
    opened = {"RecordType": "Open", "Recipient": EMAIL, "FirstOpen": True}
    assert _webhook(anonymous_api, delivery).status_code == 200
    assert _webhook(anonymous_api, opened).status_code == 200
    assert not _suppressed(EMAIL)


def test_webhooks_need_the_configured_token(anonymous_api, both_users, monkeypatch):
    missing = _webhook(anonymous_api, _bounce(1), token=None)
    wrong = _webhook(anonymous_api, _bounce(1), token="not-it")
    assert (missing.status_code, missing.json()) == (401, {"detail": "No API key in request"})
    assert (wrong.status_code, wrong.json()) == (401, {"detail": "Invalid API key"})
    assert not _suppressed(EMAIL)

    monkeypatch.delenv("POSTMARK_WEBHOOK_TOKEN")
    unconfigured = _webhook(anonymous_api, _bounce(1))
    assert unconfigured.status_code == 503
    assert "POSTMARK_WEBHOOK_TOKEN is not configured" in unconfigured.json()["detail"]
    assert not _suppressed(EMAIL)


def test_an_unknown_record_type_is_422(anonymous_api, both_users):
    response = _webhook(anonymous_api, {"RecordType": "Teleport", "Email": EMAIL})
    assert response.status_code == 422
    assert not _suppressed(EMAIL)


def test_the_routes_are_in_the_openapi_document(anonymous_api):
    paths = anonymous_api.get("/openapi.json").json()["paths"]
    unsubscribe = paths["/api/email/unsubscribe"]["post"]
    webhook = paths["/api/email/"]["post"]
    assert unsubscribe["summary"] == "One Click Email Unsubscribe"
    assert {"200", "400", "404", "422", "503"} <= set(unsubscribe["responses"])
    assert webhook["summary"] == "Handle Postmark Email Webhooks"
    assert {"200", "401", "422", "503"} <= set(webhook["responses"])
    envelope = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for operation, status in ((unsubscribe, "400"), (unsubscribe, "404"), (unsubscribe, "503"), (webhook, "503")):
        assert operation["responses"][status]["content"]["application/json"]["schema"] == envelope
