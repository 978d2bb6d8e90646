"""OAuth sign-in through ``/api/integrations/{provider}/login|callback`` against a loopback
provider: PKCE, single-use state bound to its user, encrypted storage, revocation."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import USER_ID
from tests.support.oauth_stub import CLIENTS, REDIRECT_URI

pytestmark = pytest.mark.usefixtures("kms_key")

AUTHORIZE = {
    "google": "https://accounts.google.com/o/oauth2/v2/auth",
    "github": "https://github.com/login/oauth/authorize",
    "discord": "https://discord.com/oauth2/authorize",
}
GOOGLE_IDENTITY = [
    "https://www.googleapis.com/auth/userinfo.email",
    "https://www.googleapis.com/auth/userinfo.profile",
    "openid",
]
GMAIL_SEND = "https://www.googleapis.com/auth/gmail.send"


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _login(api, provider: str, scopes: str = ""):
    resp = api.get(f"/api/integrations/{provider}/login", params={"scopes": scopes} if scopes else None)
    assert resp.status_code == 200, resp.content
    return resp.json()


def _sign_in(api, stub, provider: str = "google", scopes: str = GMAIL_SEND):
    login = _login(api, provider, scopes)
    code = stub.authorize(login["login_url"], provider)
    return api.post(
        f"/api/integrations/{provider}/callback",
        json_body={"code": code, "state_token": login["state_token"]},
    )


@pytest.mark.parametrize("provider", ["google", "github", "discord"])
def test_login_url_carries_client_redirect_state_and_an_s256_challenge(api, oauth_stub, provider):
    login = _login(api, provider, "a,b")
    assert set(login) == {"login_url", "state_token"}
    url = login["login_url"]
    assert url.split("?")[0] == AUTHORIZE[provider]
    query = _query(url)
    assert query["client_id"] == CLIENTS[provider][0]
    assert query["redirect_uri"] == REDIRECT_URI
    assert query["response_type"] == "code"
    assert query["state"] == login["state_token"]
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43  # base64url of a SHA-256 digest, unpadded
    assert CLIENTS[provider][1] not in url
    expected_scopes = ["a", "b", *GOOGLE_IDENTITY] if provider == "google" else ["a", "b"]
    assert query["scope"].split() == expected_scopes


def test_google_asks_for_offline_access_and_discord_defaults_to_identify(api, oauth_stub):
    google = _query(_login(api, "google")["login_url"])
    assert (google["access_type"], google["prompt"], google["include_granted_scopes"]) == (
        "offline",
        "consent",
        "true",
    )
    assert google["scope"].split() == GOOGLE_IDENTITY
    assert _query(_login(api, "discord")["login_url"])["scope"] == "identify"
    assert "scope" not in _query(_login(api, "github")["login_url"])


def test_every_login_has_its_own_state_and_challenge(api, oauth_stub):
    first, second = _login(api, "google"), _login(api, "google")
    assert first["state_token"] != second["state_token"]
    assert _query(first["login_url"])["code_challenge"] != _query(second["login_url"])["code_challenge"]


@pytest.mark.parametrize(
    ("provider", "username", "scopes"),
    [
        ("google", "ada@example.com", [GMAIL_SEND, *GOOGLE_IDENTITY]),
        ("github", "octo-ada", ["repo", "gist"]),
        ("discord", "ada_d", ["identify", "guilds"]),
    ],
)
def test_callback_stores_an_encrypted_oauth2_credential(api, oauth_stub, provider, username, scopes):
    requested = {"google": GMAIL_SEND, "github": "repo,gist", "discord": "identify,guilds"}[provider]
    resp = _sign_in(api, oauth_stub, provider, requested)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body == {
        "id": body["id"],
        "provider": provider,
        "type": "oauth2",
        "title": None,
        "scopes": scopes,
        "username": username,
        "host": None,
    }
    # the token request proved possession of the PKCE verifier and authenticated the client
    (token_request,) = oauth_stub.token_requests
    form = {k: v[0] for k, v in parse_qs(token_request.body.decode()).items()}
    assert form["grant_type"] == "authorization_code"
    assert form["redirect_uri"] == REDIRECT_URI
    assert 43 <= len(form["code_verifier"]) <= 128
    listed = api.get(f"/api/integrations/{provider}/credentials").json()
    assert [c["id"] for c in listed] == [body["id"]]
    access_token = next(iter(oauth_stub.access_tokens))
    for resp in (
        api.get("/api/integrations/credentials"),
        api.get(f"/api/integrations/{provider}/credentials/{body['id']}"),
    ):
        assert access_token.encode() not in resp.content
    from agentplatform.store import keys
    from agentplatform.store.credentials import CredentialsRepository
    from agentplatform.store.table import Table

    item = Table().get(keys.user_pk(USER_ID), keys.credentials_sk(body["id"]))
    assert item is not None
    assert all(access_token.encode() not in json.dumps(v, default=str).encode() for v in item.values())
    stored = CredentialsRepository().get(USER_ID, body["id"])
    assert stored.access_token.get_secret_value() == access_token
    assert stored.refresh_token is not None


def test_a_state_token_works_once(api, oauth_stub):
    login = _login(api, "google")
    code = oauth_stub.authorize(login["login_url"], "google")
    body = {"code": code, "state_token": login["state_token"]}
    assert api.post("/api/integrations/google/callback", json_body=body).status_code == 200
    replay = api.post("/api/integrations/google/callback", json_body=body)
    assert replay.status_code == 400
    assert replay.json()["detail"] == "Invalid or expired state token"
    assert len(api.get("/api/integrations/credentials").json()) == 1


def test_another_users_state_is_refused_and_stays_usable_by_its_owner(api, other_api, oauth_stub):
    login = _login(api, "google")
    code = oauth_stub.authorize(login["login_url"], "google")
    body = {"code": code, "state_token": login["state_token"]}
    stolen = other_api.post("/api/integrations/google/callback", json_body=body)
    assert stolen.status_code == 400
    assert stolen.json()["detail"] == "Invalid or expired state token"
    assert oauth_stub.token_requests == []
    assert api.post("/api/integrations/google/callback", json_body=body).status_code == 200
    assert other_api.get("/api/integrations/credentials").json() == []


def test_a_state_is_bound_to_its_provider(api, oauth_stub):
    login = _login(api, "google")
    resp = api.post(
        "/api/integrations/github/callback", json_body={"code": "c", "state_token": login["state_token"]}
    )
    assert resp.status_code == 400
    assert resp.json()["detail"] == "Invalid or expired state token"


def test_an_expired_state_is_refused(api, oauth_stub, monkeypatch):
    import time

    from agentplatform.store import oauth_states

    login = _login(api, "google")
    code = oauth_stub.authorize(login["login_url"], "google")
    later = time.time() + 601
    monkeypatch.setattr(oauth_states, "time", type("Clock", (), {"time": staticmethod(lambda: later)}))
    resp = api.post(
        "/api/integrations/google/callback", json_body={"code": code, "state_token": login["state_token"]}
    )
    assert resp.status_code == 400
    assert resp.json()["detail"] == "Invalid or expired state token"


@pytest.mark.parametrize("state_token", ["", "not-a-token", "x" * 500])
def test_unknown_states_are_400(api, oauth_stub, state_token):
    resp = api.post("/api/integrations/google/callback", json_body={"code": "c", "state_token": state_token})
    assert resp.status_code == 400
    assert resp.json()["detail"] == "Invalid or expired state token"


def test_a_refused_code_is_400_and_stores_nothing(api, oauth_stub):
    login = _login(api, "google")
    resp = api.post(
        "/api/integrations/google/callback", json_body={"code": "forged", "state_token": login["state_token"]}
    )
    assert resp.status_code == 400
    assert resp.json()["detail"] == (
        "OAuth2 callback failed to exchange code for tokens: google code exchange failed with HTTP 400 (invalid_grant)"
    )
    assert CLIENTS["google"][1].encode() not in resp.content
    assert api.get("/api/integrations/credentials").json() == []


def test_github_errors_in_a_200_are_refusals_too(api, oauth_stub):
    login = _login(api, "github")
    resp = api.post(
        "/api/integrations/github/callback", json_body={"code": "forged", "state_token": login["state_token"]}
    )
    assert resp.status_code == 400
    assert resp.json()["detail"].endswith("github code exchange failed with HTTP 200 (invalid_grant)")


def test_a_code_issued_for_another_verifier_is_refused(api, oauth_stub):
    first, second = _login(api, "google"), _login(api, "google")
    code = oauth_stub.authorize(first["login_url"], "google")  # bound to the first challenge
    resp = api.post(
        "/api/integrations/google/callback", json_body={"code": code, "state_token": second["state_token"]}
    )
    assert resp.status_code == 400


def test_providers_without_oauth_are_404_and_unconfigured_ones_501(api, oauth_stub, monkeypatch):
    resp = api.get("/api/integrations/openai/login")
    assert resp.status_code == 404
    assert resp.json()["detail"] == "Provider 'openai' does not support OAuth"
    monkeypatch.delenv("DISCORD_CLIENT_SECRET")
    resp = api.get("/api/integrations/discord/login")
    assert resp.status_code == 501
    assert resp.json()["detail"] == "Integration with provider 'discord' is not configured."
    resp = api.post("/api/integrations/discord/callback", json_body={"code": "c", "state_token": "s"})
    assert resp.status_code == 501


def test_client_credentials_can_come_from_secrets_manager(api, oauth_stub, monkeypatch):
    from agentplatform.aws import client
    from agentplatform.config import get_settings
    from agentplatform.platform_secrets import clear_cache

    secret = {"GOOGLE_CLIENT_ID": CLIENTS["google"][0], "GOOGLE_CLIENT_SECRET": CLIENTS["google"][1]}
    arn = client("secretsmanager").create_secret(Name="platform", SecretString=json.dumps(secret))["ARN"]
    monkeypatch.delenv("GOOGLE_CLIENT_ID")
    monkeypatch.delenv("GOOGLE_CLIENT_SECRET")
    monkeypatch.setenv("PLATFORM_SECRETS_ARN", arn)
    get_settings.cache_clear()
    clear_cache()
    try:
        assert _sign_in(api, oauth_stub).status_code == 200
    finally:
        monkeypatch.delenv("PLATFORM_SECRETS_ARN")
        get_settings.cache_clear()
        clear_cache()


@pytest.mark.parametrize("provider", ["google", "github", "discord"])
def test_deleting_an_oauth_credential_revokes_it_at_the_provider(api, oauth_stub, provider):
    cred_id = _sign_in(api, oauth_stub, provider, "").json()["id"]
    access_token = next(iter(oauth_stub.access_tokens))
    resp = api.delete(f"/api/integrations/{provider}/credentials/{cred_id}")
    assert resp.status_code == 200
    assert resp.json() == {"deleted": True, "revoked": True}
    assert oauth_stub.revoked == [access_token]
    assert api.get(f"/api/integrations/{provider}/credentials/{cred_id}").status_code == 404


def test_a_refused_revocation_still_deletes_and_says_so(api, oauth_stub):
    cred_id = _sign_in(api, oauth_stub).json()["id"]
    oauth_stub.access_tokens.clear()  # the provider no longer knows the token
    resp = api.delete(f"/api/integrations/google/credentials/{cred_id}")
    assert resp.json() == {"deleted": True, "revoked": False}
    assert api.get("/api/integrations/credentials").json() == []


def test_another_user_cannot_delete_or_revoke(api, other_api, oauth_stub):
    cred_id = _sign_in(api, oauth_stub).json()["id"]
    assert other_api.delete(f"/api/integrations/google/credentials/{cred_id}").status_code == 404
    assert oauth_stub.revoked == []


def test_system_providers_are_the_configured_platform_credentials(anonymous_api, monkeypatch):
    assert anonymous_api.get("/api/integrations/providers/system").json() == []
    monkeypatch.setenv("OPENAI_API_KEY", "sk-platform")
    monkeypatch.setenv("JINA_API_KEY", "jina-platform")
    monkeypatch.setenv("WEBSHARE_PROXY_USERNAME", "only-half")
    assert anonymous_api.get("/api/integrations/providers/system").json() == ["openai", "jina"]


def test_state_tokens_are_not_stored_in_clear(api, oauth_stub):
    from agentplatform.store import keys
    from agentplatform.store.table import Table

    login = _login(api, "google")
    items = list(Table().query(keys.user_pk(USER_ID), prefix="OAUTHSTATE#"))
    assert len(items) == 1
    digest = hashlib.sha256(login["state_token"].encode()).hexdigest()
    assert items[0]["sk"] == f"OAUTHSTATE#{digest}"
    assert login["state_token"] not in json.dumps(items[0], default=str)
    assert set(items[0]) == {
        "pk",
        "sk",
        "type",
        "provider",
        "expires_at",
        "ttl",
        "key_source",
        "wrapped_key",
        "nonce",
        "ciphertext",
    }
