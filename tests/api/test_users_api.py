"""/api/auth/user routes."""

from __future__ import annotations

from tests.conftest import USER_ID


def test_get_or_create_user_is_idempotent(api):
    first = api.post("/api/auth/user")
    second = api.post("/api/auth/user")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["id"] == USER_ID
    assert first.json()["email"] == "dev@example.com"
    assert first.json()["timezone"] == "not-set"


def test_update_email_takes_a_json_string_body(api):
    resp = api.post("/api/auth/user/email", json_body="new@example.com")
    assert resp.status_code == 200
    assert resp.json() == {"email": "new@example.com"}
    assert api.post("/api/auth/user").json()["email"] == "new@example.com"


def test_timezone_round_trip_and_validation(api):
    assert api.get("/api/auth/user/timezone").json() == {"timezone": "not-set"}
    resp = api.post("/api/auth/user/timezone", json_body={"timezone": "Europe/Paris"})
    assert resp.json() == {"timezone": "Europe/Paris"}
    assert api.get("/api/auth/user/timezone").json() == {"timezone": "Europe/Paris"}
    bad = api.post("/api/auth/user/timezone", json_body={"timezone": "Mars/Olympus"})
    assert bad.status_code == 422
    assert bad.json()["message"] == "Invalid data for POST /api/auth/user/timezone"


def test_notification_preferences_round_trip(api):
    defaults = api.get("/api/auth/user/preferences").json()
    assert defaults["user_id"] == USER_ID
    assert defaults["daily_limit"] == 10
    assert defaults["preferences"]["AGENT_RUN"] is True
    body = {"email": "n@example.com", "preferences": {"AGENT_RUN": False}, "daily_limit": 3}
    updated = api.post("/api/auth/user/preferences", json_body=body).json()
    assert (updated["email"], updated["daily_limit"], updated["preferences"]) == (
        "n@example.com",
        3,
        {"AGENT_RUN": False},
    )
    assert api.get("/api/auth/user/preferences").json()["preferences"] == {"AGENT_RUN": False}
