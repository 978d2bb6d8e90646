"""``/external-api/v1/integrations/{provider}/oauth/initiate|complete``: an app signs its
user in to a provider with its own callback URL, against the loopback OAuth provider."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import USER_ID
from tests.support.external import create_api_key, key_client
from tests.support.oauth_stub import CLIENTS

pytestmark = pytest.mark.usefixtures("kms_key")

CALLBACK = "http://localhost:3000/oauth/callback"  # upstream's default allowed origin
GOOGLE_IDENTITY = [
    "https://www.googleapis.com/auth/userinfo.email",
    "https://www.googleapis.com/auth/userinfo.profile",
    "openid",
]
GMAIL_SEND = "https://www.googleapis.com/auth/gmail.send"
BASE = "/external-api/v1/integrations"
MULTI = ["http://localhost:3000", "https://app.example.com", "https://staging.example.com:8443"]


@pytest.fixture
def app(api):
    """An external app acting for USER_ID with a key that may manage integrations."""
    key, _ = create_api_key(api, ["MANAGE_INTEGRATIONS", "READ_INTEGRATIONS"])
    return key_client(key)


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _initiate(client, provider: str = "google", **body):
    resp = client.post(f"{BASE}/{provider}/oauth/initiate", json_body={"callback_url": CALLBACK, **body})
    assert resp.status_code == 200, resp.content
    return resp.json()


def _complete(client, provider: str, code: str, state_token: str):
    return client.post(
        f"{BASE}/{provider}/oauth/complete", json_body={"code": code, "state_token": state_token}
    )


def _state_items() -> list[dict]:
    from agentplatform.store import keys
    from agentplatform.store.table import Table

    return list(Table().query(keys.user_pk(USER_ID), prefix="OAUTHSTATE#"))


@pytest.mark.parametrize("provider", ["google", "github", "discord"])
def test_initiate_sends_the_user_back_to_the_apps_callback(app, oauth_stub, provider):
    before = int(time.time())
    started = _initiate(app, provider, scopes=["a", "b"])
    after = int(time.time())

    assert list(started) == ["login_url", "state_token", "expires_at"]
    assert before + 600 <= started["expires_at"] <= after + 600
    query = _query(started["login_url"])
    assert query["client_id"] == CLIENTS[provider][0]
    assert query["redirect_uri"] == CALLBACK
    assert query["state"] == started["state_token"]
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert CLIENTS[provider][1] not in started["login_url"]


def test_complete_stores_an_oauth2_credential_and_echoes_the_metadata(api, app, oauth_stub):
    metadata = {"session": "s-1", "nested": {"n": [1, 2]}}
    started = _initiate(app, scopes=[GMAIL_SEND], state_metadata=metadata)
    code = oauth_stub.authorize(started["login_url"], "google")

    resp = _complete(app, "google", code, started["state_token"])

    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body == {
        "credentials_id": body["credentials_id"],
        "provider": "google",
        "type": "oauth2",
        "title": None,
        "scopes": [GMAIL_SEND, *GOOGLE_IDENTITY],
        "username": "ada@example.com",
        "state_metadata": metadata,
    }
    # the code was exchanged for the app's callback, with the verifier of the challenge
    (token_request,) = oauth_stub.token_requests
    form = {k: v[0] for k, v in parse_qs(token_request.body.decode()).items()}
    assert (form["grant_type"], form["redirect_uri"]) == ("authorization_code", CALLBACK)
    access_token = next(iter(oauth_stub.access_tokens))
    assert access_token.encode() not in resp.content
    listed = app.get(f"{BASE}/google/credentials")
    assert [c["id"] for c in listed.json()] == [body["credentials_id"]]
    assert access_token.encode() not in listed.content
    assert [c["id"] for c in api.get("/api/integrations/credentials").json()] == [body["credentials_id"]]
    from agentplatform.store.credentials import CredentialsRepository

    stored = CredentialsRepository().get(USER_ID, body["credentials_id"])
    assert stored.access_token.get_secret_value() == access_token


def test_the_state_and_its_metadata_are_stored_sealed(app, oauth_stub):
    started = _initiate(app, state_metadata={"marker": "visible-if-stored-in-clear"})

    (item,) = _state_items()
    stored = json.dumps(item, default=str)
    assert started["state_token"] not in stored
    assert "visible-if-stored-in-clear" not in stored
    assert CALLBACK not in stored


def test_a_state_token_works_once(app, oauth_stub):
    started = _initiate(app)
    code = oauth_stub.authorize(started["login_url"], "google")
    assert _complete(app, "google", code, started["state_token"]).status_code == 200

    replay = _complete(app, "google", code, started["state_token"])

    assert replay.status_code == 400
    assert replay.json()["detail"] == "Invalid or expired state token"
    assert len(app.get(f"{BASE}/credentials").json()) == 1


def test_another_users_key_cannot_complete_the_flow(app, other_api, oauth_stub):
    started = _initiate(app)
    code = oauth_stub.authorize(started["login_url"], "google")
    other_key, _ = create_api_key(other_api, ["MANAGE_INTEGRATIONS", "READ_INTEGRATIONS"])
    other = key_client(other_key)

    stolen = _complete(other, "google", code, started["state_token"])

    assert stolen.status_code == 400
    assert stolen.json()["detail"] == "Invalid or expired state token"
    assert oauth_stub.token_requests == []
    assert _complete(app, "google", code, started["state_token"]).status_code == 200
    assert other.get(f"{BASE}/credentials").json() == []


def test_a_state_is_bound_to_its_provider(app, oauth_stub):
    started = _initiate(app, "google")
    resp = _complete(app, "github", "c", started["state_token"])
    assert resp.status_code == 400
    assert resp.json()["detail"] == "Invalid or expired state token"


def test_a_state_from_the_frontends_sign_in_is_refused(api, app, oauth_stub):
    login = api.get("/api/integrations/google/login").json()
    code = oauth_stub.authorize(login["login_url"], "google")

    resp = _complete(app, "google", code, login["state_token"])

    assert resp.status_code == 400
    assert resp.json()["detail"] == "State token was not created for external OAuth flow"
    assert oauth_stub.token_requests == []
    assert app.get(f"{BASE}/credentials").json() == []


def test_a_refused_code_is_400_and_stores_nothing(app, oauth_stub):
    started = _initiate(app)

    resp = _complete(app, "google", "forged", started["state_token"])

    assert resp.status_code == 400
    assert resp.json()["detail"] == (
        "OAuth2 callback failed to exchange code for tokens: google code exchange failed with HTTP 400 (invalid_grant)"
    )
    assert CLIENTS["google"][1].encode() not in resp.content
    assert app.get(f"{BASE}/credentials").json() == []


@pytest.mark.parametrize(
    "callback_url",
    [
        "http://localhost:8080/callback",
        "http://localhost/callback",
        "https://localhost:3000/callback",
        "http://127.0.0.1:3000/callback",
        "http://example.com:3000/callback",
        "http://ada@localhost:3000/callback",
        "http://localhost:3000/callback#fragment",
        "not-a-url",
        "",
    ],
)
def test_a_callback_outside_the_allowed_origins_is_400_and_starts_nothing(app, oauth_stub, callback_url):
    resp = app.post(f"{BASE}/google/oauth/initiate", json_body={"callback_url": callback_url})

    assert resp.status_code == 400
    assert (
        resp.json()["detail"]
        == "Callback URL origin is not allowed. Allowed origins: ['http://localhost:3000']"
    )
    assert _state_items() == []


def test_allowed_origins_come_from_the_setting(app, oauth_stub, monkeypatch):
    from agentplatform.config import get_settings

    monkeypatch.setenv(
        "EXTERNAL_OAUTH_CALLBACK_ORIGINS", "https://app.example.com, https://staging.example.com:8443"
    )
    get_settings.cache_clear()
    try:
        started = _initiate(app, callback_url="https://staging.example.com:8443/oauth/done")
        assert _query(started["login_url"])["redirect_uri"] == "https://staging.example.com:8443/oauth/done"
        refused = app.post(f"{BASE}/google/oauth/initiate", json_body={"callback_url": CALLBACK})
        assert refused.status_code == 400
    finally:
        monkeypatch.delenv("EXTERNAL_OAUTH_CALLBACK_ORIGINS")
        get_settings.cache_clear()


def test_unknown_providers_are_404_providers_without_oauth_404_and_unconfigured_ones_501(
    app, oauth_stub, monkeypatch
):
    body = {"callback_url": CALLBACK}
    unknown = app.post(f"{BASE}/nope/oauth/initiate", json_body=body)
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "Provider 'nope' not found")
    no_oauth = app.post(f"{BASE}/openai/oauth/initiate", json_body=body)
    assert (no_oauth.status_code, no_oauth.json()["detail"]) == (
        404,
        "Provider 'openai' does not support OAuth",
    )

    monkeypatch.delenv("DISCORD_CLIENT_SECRET")
    unconfigured = app.post(f"{BASE}/discord/oauth/initiate", json_body=body)
    assert unconfigured.status_code == 501
    assert unconfigured.json()["detail"] == "Integration with provider 'discord' is not configured."
    assert _complete(app, "discord", "c", "s").status_code == 501
    assert _state_items() == []


def test_an_initiate_body_needs_a_callback_url(app, oauth_stub):
    resp = app.post(f"{BASE}/google/oauth/initiate", json_body={"scopes": ["a"]})
    assert resp.status_code == 422


@pytest.mark.parametrize(
    ("allowed", "url", "expected"),
    [
        # upstream's validate_callback_url vectors
        (["http://localhost:3000"], "http://localhost:3000/callback", True),
        (["http://localhost:3000"], "http://localhost:3000/oauth/complete", True),
        (["http://localhost:3000"], "http://localhost:8080/callback", False),
        (["http://localhost:3000"], "http://localhost:9999/callback", False),
        (["http://localhost:3000"], "http://localhost/callback", False),
        (["http://localhost:3000"], "http://localhost:5000/callback", False),
        (["http://localhost:3000"], "https://localhost:3000/callback", False),
        (["http://localhost:3000"], "http://127.0.0.1:3000/callback", False),
        (["http://localhost:3000"], "http://example.com:3000/callback", False),
        (["http://localhost:3000"], "not-a-url", False),
        (["http://localhost:3000"], "", False),
        ([], "http://localhost:3000/callback", False),
        ([], "https://example.com/callback", False),
        (["http://localhost:3000"], "http://localhost:3000/", True),
        (["http://localhost:3000"], "http://localhost:3000/deep/nested/path", True),
        (["http://localhost:3000"], "http://localhost:3000/callback?code=abc", True),
        (["http://localhost:3000"], "http://localhost:3000/callback?state=xyz&code=abc", True),
        (MULTI, "https://app.example.com/oauth", True),
        (MULTI, "https://staging.example.com:8443/callback", True),
        (MULTI, "http://localhost:4000/callback", False),
        (MULTI, "https://other.example.com/callback", False),
        (MULTI, "https://staging.example.com/callback", False),
        # ours: an explicit default port is the same origin; a bad port is no origin
        (["https://app.example.com"], "https://app.example.com:443/cb", True),
        (["http://localhost:3000"], "http://localhost:99999/cb", False),
    ],
)
def test_callback_origin_allowed(allowed, url, expected):
    from agentplatform.integrations.oauth.flow import callback_origin_allowed

    assert callback_origin_allowed(url, allowed) is expected
