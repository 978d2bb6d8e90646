"""The OAuth 2.0 provider: authorization code + PKCE, tokens on the external API, refresh,
introspection, revocation, and app management by owners."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from agentplatform.models.api_keys import APIKeyPermission
from agentplatform.oauth.service import OAuthService
from agentplatform.store import keys
from agentplatform.store.table import Table
from tests.conftest import OTHER_USER_ID, USER_ID
from tests.support.external import bearer_client

REDIRECT = "https://app.example.com/callback"
APP_INFO_KEYS = [
    "id",
    "name",
    "description",
    "logo_url",
    "client_id",
    "redirect_uris",
    "grant_types",
    "scopes",
    "owner_id",
    "is_active",
    "created_at",
    "updated_at",
]
TOKEN_KEYS = [
    "token_type",
    "access_token",
    "access_token_expires_at",
    "refresh_token",
    "refresh_token_expires_at",
    "scopes",
]


@pytest.fixture
def app(cloud) -> dict[str, Any]:
    """An app registered by the other user (a developer), for the test user to authorize."""
    registered = OAuthService().register_application(
        OTHER_USER_ID,
        "Example App",
        [REDIRECT],
        [APIKeyPermission.IDENTITY, APIKeyPermission.READ_GRAPH],
        description="Does things",
    )
    return {**registered.application.model_dump(mode="json"), "client_secret": registered.client_secret}


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _authorize(api, app, challenge: str, **overrides: Any):
    body = {
        "client_id": app["client_id"],
        "redirect_uri": REDIRECT,
        "scopes": ["IDENTITY"],
        "state": "st4te",
        "response_type": "code",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **overrides,
    }
    return api.post("/api/oauth/authorize", json_body=body)


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _exchange(anonymous_api, app, code: str, verifier: str, **overrides: Any):
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "code_verifier": verifier,
        **overrides,
    }
    return anonymous_api.post("/api/oauth/token", json_body=body)


def _code(api, app) -> tuple[str, str]:
    verifier, challenge = _pkce()
    response = _authorize(api, app, challenge)
    assert response.status_code == 200, response.content
    return _query(response.json()["redirect_url"])["code"], verifier


def _client_body(app) -> dict[str, str]:
    return {"client_id": app["client_id"], "client_secret": app["client_secret"]}


def test_register_authorize_exchange_call_refresh_revoke(api, anonymous_api, app):
    info = api.get(f"/api/oauth/app/{app['client_id']}")
    assert info.status_code == 200
    assert info.json() == {
        "name": "Example App",
        "description": "Does things",
        "logo_url": None,
        "scopes": ["IDENTITY", "READ_GRAPH"],
        "redirect_uris": [REDIRECT],
    }

    verifier, challenge = _pkce()
    authorized = _authorize(api, app, challenge)
    assert authorized.status_code == 200
    redirect = authorized.json()["redirect_url"]
    assert redirect.startswith(REDIRECT + "?")
    params = _query(redirect)
    assert params["state"] == "st4te" and len(params["code"]) >= 43

    exchanged = _exchange(anonymous_api, app, params["code"], verifier)
    assert exchanged.status_code == 200, exchanged.content
    tokens = exchanged.json()
    assert list(tokens) == TOKEN_KEYS
    assert tokens["token_type"] == "Bearer" and tokens["scopes"] == ["IDENTITY"]
    assert tokens["access_token"].startswith("agpt_xt_") and tokens["refresh_token"].startswith("agpt_rt_")

    me = bearer_client(tokens["access_token"]).get("/external-api/v1/me")
    assert me.status_code == 200
    assert me.json()["id"] == USER_ID
    not_granted = bearer_client(tokens["access_token"]).get("/external-api/v1/graphs/g/executions/e/results")
    assert not_granted.status_code == 403
    assert not_granted.json() == {"detail": "Missing required permission: READ_GRAPH"}

    replayed = _exchange(anonymous_api, app, params["code"], verifier)
    assert replayed.status_code == 400
    assert replayed.json() == {"detail": "Invalid grant: authorization code already used"}

    refreshed = anonymous_api.post(
        "/api/oauth/token",
        json_body={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            **_client_body(app),
        },
    )
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert list(new) == TOKEN_KEYS and new["scopes"] == ["IDENTITY"]
    assert new["access_token"] != tokens["access_token"]
    reused = anonymous_api.post(
        "/api/oauth/token",
        json_body={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            **_client_body(app),
        },
    )
    assert reused.status_code == 400
    assert reused.json() == {"detail": "Invalid grant: refresh token has been revoked"}

    introspected = anonymous_api.post(
        "/api/oauth/introspect", json_body={"token": new["access_token"], **_client_body(app)}
    )
    assert introspected.status_code == 200
    body = introspected.json()
    assert list(body) == ["active", "scopes", "client_id", "user_id", "exp", "token_type"]
    assert body["active"] is True and body["scopes"] == ["IDENTITY"] and body["user_id"] == USER_ID
    assert body["client_id"] == app["client_id"] and body["token_type"] == "access_token"
    as_refresh = anonymous_api.post(
        "/api/oauth/introspect",
        json_body={"token": new["refresh_token"], "token_type_hint": "refresh_token", **_client_body(app)},
    )
    assert as_refresh.json()["token_type"] == "refresh_token"

    revoked = anonymous_api.post(
        "/api/oauth/revoke", json_body={"token": new["access_token"], **_client_body(app)}
    )
    assert revoked.status_code == 200
    assert revoked.json() == {"status": "ok"}

    after = bearer_client(new["access_token"]).get("/external-api/v1/me")
    assert after.status_code == 401
    assert after.json() == {"detail": "Invalid token: access token has been revoked"}
    gone = anonymous_api.post(
        "/api/oauth/introspect", json_body={"token": new["access_token"], **_client_body(app)}
    )
    assert gone.json() == {
        "active": False,
        "scopes": None,
        "client_id": None,
        "user_id": None,
        "exp": None,
        "token_type": None,
    }


def test_only_hashes_of_codes_tokens_and_secrets_are_stored(api, anonymous_api, app):
    code, verifier = _code(api, app)
    tokens = _exchange(anonymous_api, app, code, verifier).json()

    table = Table()
    app_item = table.get(keys.user_pk(OTHER_USER_ID), keys.oauth_app_sk(app["id"]))
    assert app_item is not None and app["client_secret"] not in str(app_item)

    def digest(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    stored = [
        table.get(keys.oauth_code_pk(digest(code)), keys.OAUTH_CODE_SK),
        table.get(keys.oauth_token_pk(digest(tokens["access_token"])), keys.OAUTH_ACCESS_TOKEN_SK),
        table.get(keys.oauth_token_pk(digest(tokens["refresh_token"])), keys.OAUTH_REFRESH_TOKEN_SK),
    ]
    assert all(item is not None for item in stored)
    for secret in (code, tokens["access_token"], tokens["refresh_token"]):
        assert secret not in str(stored)
    assert "client_secret" not in str(api.get("/api/oauth/apps/mine").content)


def test_authorize_errors_without_redirect(api, anonymous_api, app):
    _, challenge = _pkce()

    unknown = _authorize(api, app, challenge, client_id="nope")
    assert unknown.status_code == 400 and unknown.json() == {"detail": "Unknown client_id"}
    bad_redirect = _authorize(api, app, challenge, redirect_uri="https://evil.example.com/cb")
    assert bad_redirect.status_code == 400
    assert bad_redirect.json() == {"detail": f"Invalid redirect_uri. Must be one of: {REDIRECT}"}
    assert _authorize(anonymous_api, app, challenge).status_code == 401


@pytest.mark.parametrize(
    ("overrides", "error", "description"),
    [
        ({"response_type": "token"}, "unsupported_response_type", "response_type=token is not supported"),
        (
            {"code_challenge_method": "plain"},
            "invalid_request",
            "Only the 'S256' code_challenge_method is supported",
        ),
        ({"code_challenge": "short"}, "invalid_request", "Invalid code_challenge"),
        ({"scopes": []}, "invalid_scope", "At least one scope is required"),
        ({"scopes": ["ROOT"]}, "invalid_scope", "Invalid scope: ROOT"),
        (
            {"scopes": ["EXECUTE_GRAPH"]},
            "invalid_scope",
            "Application is not authorized for all requested scopes. Allowed: IDENTITY, READ_GRAPH",
        ),
    ],
)
def test_authorize_errors_go_back_to_the_registered_redirect(api, app, overrides, error, description):
    _, challenge = _pkce()

    response = _authorize(api, app, challenge, **overrides)

    assert response.status_code == 200
    redirect = response.json()["redirect_url"]
    assert redirect.startswith(REDIRECT + "?")
    assert _query(redirect) == {"error": error, "state": "st4te", "error_description": description}


def test_token_errors(api, anonymous_api, app):
    code, verifier = _code(api, app)

    wrong_secret = _exchange(anonymous_api, app, code, verifier, client_secret="agpt_secret_wrong")
    assert wrong_secret.status_code == 401 and wrong_secret.json() == {"detail": "Invalid client_secret"}
    wrong_client = _exchange(anonymous_api, app, code, verifier, client_id="nope")
    assert wrong_client.status_code == 401 and wrong_client.json() == {"detail": "Invalid client_id"}
    wrong_verifier = _exchange(anonymous_api, app, code, secrets.token_urlsafe(48))
    assert wrong_verifier.status_code == 400
    assert wrong_verifier.json() == {"detail": "Invalid grant: PKCE verification failed"}
    wrong_redirect = _exchange(anonymous_api, app, code, verifier, redirect_uri=REDIRECT + "/other")
    assert wrong_redirect.json() == {"detail": "Invalid grant: redirect_uri mismatch"}
    unknown_code = _exchange(anonymous_api, app, "not-a-code", verifier)
    assert unknown_code.json() == {"detail": "Invalid grant: authorization code not found"}
    assert _exchange(anonymous_api, app, code, verifier, grant_type="password").status_code == 422

    # The failed attempts did not use the code up.
    assert _exchange(anonymous_api, app, code, verifier).status_code == 200


def test_a_code_or_token_of_one_app_is_useless_to_another(api, anonymous_api, app):
    other = OAuthService().register_application(USER_ID, "Other", [REDIRECT], [APIKeyPermission.IDENTITY])
    other_client = {"client_id": other.application.client_id, "client_secret": other.client_secret}
    code, verifier = _code(api, app)

    stolen = anonymous_api.post(
        "/api/oauth/token",
        json_body={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            **other_client,
        },
    )
    assert stolen.json() == {
        "detail": "Invalid grant: authorization code does not belong to this application"
    }

    tokens = _exchange(anonymous_api, app, code, verifier).json()
    revoke = anonymous_api.post(
        "/api/oauth/revoke", json_body={"token": tokens["access_token"], **other_client}
    )
    assert revoke.json() == {"status": "ok"}
    assert bearer_client(tokens["access_token"]).get("/external-api/v1/me").status_code == 200


def test_owner_manages_apps_and_disabling_stops_its_tokens(api, anonymous_api, other_api, app):
    code, verifier = _code(api, app)
    tokens = _exchange(anonymous_api, app, code, verifier).json()

    mine = other_api.get("/api/oauth/apps/mine")
    assert mine.status_code == 200
    assert [list(a) for a in mine.json()] == [APP_INFO_KEYS]
    listed = mine.json()[0]
    assert listed["client_id"] == app["client_id"] and listed["owner_id"] == OTHER_USER_ID
    assert listed["grant_types"] == ["authorization_code", "refresh_token"] and listed["is_active"] is True
    assert api.get("/api/oauth/apps/mine").json() == []

    for response in (
        api.patch(f"/api/oauth/apps/{app['id']}/status", json_body={"is_active": False}),
        api.patch(f"/api/oauth/apps/{app['id']}/logo", json_body={"logo_url": "https://x.example.com/l.png"}),
    ):
        assert response.status_code == 404
    assert bearer_client(tokens["access_token"]).get("/external-api/v1/me").status_code == 200

    logo = other_api.patch(
        f"/api/oauth/apps/{app['id']}/logo", json_body={"logo_url": "https://cdn.example.com/logo.png"}
    )
    assert logo.status_code == 200 and logo.json()["logo_url"] == "https://cdn.example.com/logo.png"
    assert (
        other_api.patch(
            f"/api/oauth/apps/{app['id']}/logo", json_body={"logo_url": "javascript:alert(1)"}
        ).status_code
        == 422
    )

    disabled = other_api.patch(f"/api/oauth/apps/{app['id']}/status", json_body={"is_active": False})
    assert disabled.status_code == 200 and disabled.json()["is_active"] is False
    refused = bearer_client(tokens["access_token"]).get("/external-api/v1/me")
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Invalid token: client application is disabled"}
    assert api.get(f"/api/oauth/app/{app['client_id']}").status_code == 404
    _, challenge = _pkce()
    assert _authorize(api, app, challenge).json() == {"detail": "Application is not active"}

    enabled = other_api.patch(f"/api/oauth/apps/{app['id']}/status", json_body={"is_active": True})
    assert enabled.json()["is_active"] is True
    assert bearer_client(tokens["access_token"]).get("/external-api/v1/me").status_code == 200


def test_registration_needs_a_redirect_uri_and_a_scope(cloud):
    with pytest.raises(ValueError):
        OAuthService().register_application(USER_ID, "x", [], [APIKeyPermission.IDENTITY])
    with pytest.raises(ValueError):
        OAuthService().register_application(USER_ID, "x", [REDIRECT], [])
