"""``/api/integrations`` through API Gateway events: CRUD, ownership, no secret ever out."""

from __future__ import annotations

import pytest

SECRET = "sk-test-4f1d9c0e7b2a-do-not-leak"

pytestmark = pytest.mark.usefixtures("kms_key")


def _create(api, provider: str = "openai", **body):
    payload = {"type": "api_key", "api_key": SECRET, "title": "My key", **body}
    return api.post(f"/api/integrations/{provider}/credentials", json_body=payload)


def test_create_returns_201_with_metadata_and_no_secret(api):
    resp = _create(api, base_url="http://127.0.0.1:9999/v1/")
    assert resp.status_code == 201
    body = resp.json()
    assert set(body) == {
        "id",
        "provider",
        "type",
        "title",
        "scopes",
        "username",
        "host",
        "expires_at",
        "base_url",
    }
    assert body["provider"] == "openai"
    assert body["type"] == "api_key"
    assert body["title"] == "My key"
    assert body["base_url"] == "http://127.0.0.1:9999/v1"
    assert SECRET.encode() not in resp.content


def test_server_chooses_the_id(api):
    resp = _create(api, id="my-own-id")
    assert resp.status_code == 201
    assert resp.json()["id"] != "my-own-id"


def test_list_get_and_list_by_provider_never_return_secrets(api):
    openai_id = _create(api).json()["id"]
    _create(api, provider="anthropic", title="Claude")
    listed = api.get("/api/integrations/credentials")
    assert listed.status_code == 200
    assert [(c["provider"], c["title"]) for c in listed.json()] == [
        ("openai", "My key"),
        ("anthropic", "Claude"),
    ]
    assert set(listed.json()[0]) == {"id", "provider", "type", "title", "scopes", "username", "host"}
    by_provider = api.get("/api/integrations/anthropic/credentials")
    assert [c["title"] for c in by_provider.json()] == ["Claude"]
    one = api.get(f"/api/integrations/openai/credentials/{openai_id}")
    assert one.status_code == 200
    assert one.json()["id"] == openai_id
    for resp in (listed, by_provider, one):
        assert SECRET.encode() not in resp.content
        entries = resp.json() if isinstance(resp.json(), list) else [resp.json()]
        assert all("api_key" not in entry for entry in entries)


def test_get_with_the_wrong_provider_is_404(api):
    cred_id = _create(api).json()["id"]
    resp = api.get(f"/api/integrations/anthropic/credentials/{cred_id}")
    assert resp.status_code == 404
    assert resp.json()["detail"] == "Credentials do not match the specified provider"


def test_foreign_user_gets_404_everywhere(api, other_api):
    cred_id = _create(api).json()["id"]
    assert other_api.get(f"/api/integrations/openai/credentials/{cred_id}").status_code == 404
    assert other_api.delete(f"/api/integrations/openai/credentials/{cred_id}").status_code == 404
    assert other_api.get("/api/integrations/credentials").json() == []
    assert api.get(f"/api/integrations/openai/credentials/{cred_id}").status_code == 200


def test_delete_then_gone(api):
    cred_id = _create(api).json()["id"]
    resp = api.delete(f"/api/integrations/openai/credentials/{cred_id}")
    assert resp.status_code == 200
    assert resp.json() == {"deleted": True, "revoked": None}
    assert api.get(f"/api/integrations/openai/credentials/{cred_id}").status_code == 404
    assert api.delete(f"/api/integrations/openai/credentials/{cred_id}").status_code == 404


def test_other_credential_types_round_trip_without_secrets(api):
    user_pw = api.post(
        "/api/integrations/smtp/credentials",
        json_body={"type": "user_password", "username": "mailer", "password": SECRET},
    )
    host = api.post(
        "/api/integrations/http/credentials",
        json_body={"type": "host_scoped", "host": "*.example.com", "headers": {"Authorization": SECRET}},
    )
    assert user_pw.status_code == 201 and host.status_code == 201
    assert host.json()["host"] == "*.example.com"
    assert user_pw.json()["username"] is None  # a user_password username is a secret too
    for resp in (user_pw, host, api.get("/api/integrations/credentials")):
        assert SECRET.encode() not in resp.content


@pytest.mark.parametrize(
    ("provider", "body"),
    [
        ("openai", {"type": "api_key"}),
        ("openai", {"type": "bogus", "api_key": "x"}),
        ("openai", {"type": "api_key", "api_key": "x", "base_url": "ftp://host"}),
    ],
)
def test_invalid_bodies_are_422(api, provider, body):
    resp = api.post(f"/api/integrations/{provider}/credentials", json_body=body)
    assert resp.status_code == 422
    assert resp.json()["message"].startswith("Invalid data for POST")


def test_invalid_provider_is_400(api):
    resp = api.post("/api/integrations/Bad%20Name/credentials", json_body={"type": "api_key", "api_key": "x"})
    assert resp.status_code == 400


def test_oauth_routes_answer_501_in_the_envelope(api):
    resp = api.get("/api/integrations/github/login")
    assert resp.status_code == 501
    assert resp.json() == {
        "message": "Failed to process GET /api/integrations/github/login",
        "detail": "Integration with provider 'github' is not configured.",
        "hint": "Check server logs and dependent services.",
    }
    resp = api.post("/api/integrations/github/callback", json_body={"code": "c", "state_token": "s"})
    assert resp.status_code == 501
    assert resp.json()["message"] == "Failed to process POST /api/integrations/github/callback"


def test_provider_catalogue_is_public(anonymous_api):
    providers = anonymous_api.get("/api/integrations/providers")
    assert providers.status_code == 200
    assert {"openai", "anthropic", "groq", "ollama", "open_router"} <= set(providers.json())
    names = anonymous_api.get("/api/integrations/providers/names").json()
    assert names["providers"] == providers.json()
    constants = anonymous_api.get("/api/integrations/providers/constants").json()
    assert constants["PROVIDER_NAMES"]["OPENAI"] == "openai"
    assert anonymous_api.get("/api/integrations/providers/system").json() == []


def test_credentials_routes_require_auth(anonymous_api):
    assert anonymous_api.get("/api/integrations/credentials").status_code == 401
