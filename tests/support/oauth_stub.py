"""A loopback OAuth2 provider speaking Google's, GitHub's and Discord's wire formats.

``authorize(login_url)`` plays the user who consents at the provider: it checks the
login URL (client id, redirect URI, S256 challenge) and returns the code the provider
would append to the redirect. The token endpoints take form posts and answer JSON, and
verify what a real provider verifies: client authentication, the code's redirect URI
and PKCE verifier, single use of codes, known refresh tokens. Reach it through
``OUTBOUND_HOST_OVERRIDES`` (the ``oauth_stub`` fixture sets everything up).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.http_server import LoopbackServer, RecordedRequest, loopback_server

CLIENTS = {
    "google": ("google-client-id.apps.example", "google-client-secret-9f3a"),
    "github": ("Iv1.github-client-id", "github-client-secret-77c1"),
    "discord": ("1234567890", "discord-client-secret-0b2e"),
}
HOSTS = ("oauth2.googleapis.com", "www.googleapis.com", "github.com", "api.github.com", "discord.com")
FRONTEND = "https://app.example.com"
REDIRECT_URI = f"{FRONTEND}/auth/integrations/oauth_callback"
_serial = itertools.count(1)

Answer = tuple[int, dict[str, str], bytes]


def _json(status: int, payload: Any) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(payload).encode()


def _form(req: RecordedRequest) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(req.body.decode()).items()}


def _headers(req: RecordedRequest) -> dict[str, str]:
    return {k.lower(): v for k, v in req.headers.items()}


def _basic(req: RecordedRequest) -> tuple[str, str] | None:
    value = _headers(req).get("authorization", "")
    if not value.startswith("Basic "):
        return None
    client_id, _, secret = base64.b64decode(value[6:]).decode().partition(":")
    return client_id, secret


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


@dataclass
class Grant:
    provider: str
    scopes: list[str]
    username: str


@dataclass
class OAuthProviderStub:
    server: LoopbackServer | None = None
    expires_in: int = 3600
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    access_tokens: dict[str, Grant] = field(default_factory=dict)
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)
    revoked: list[str] = field(default_factory=list)
    usernames: dict[str, str] = field(
        default_factory=lambda: {"google": "ada@example.com", "github": "octo-ada", "discord": "ada_d"}
    )

    @property
    def token_requests(self) -> list[RecordedRequest]:
        assert self.server is not None
        token_paths = ("/token", "/login/oauth/access_token", "/api/oauth2/token")
        return [r for r in self.server.requests if r.method == "POST" and r.path in token_paths]

    def routes(self) -> dict[str, Any]:
        def route(handler: Any, provider: str) -> Any:
            return lambda req: handler(req, provider)

        return {
            "/token": route(self.token, "google"),
            "/revoke": route(self.revoke, "google"),
            "/oauth2/v2/userinfo": route(self.identity, "google"),
            "/login/oauth/access_token": route(self.token, "github"),
            "/user": route(self.identity, "github"),
            f"/applications/{CLIENTS['github'][0]}/token": route(self.revoke, "github"),
            "/api/oauth2/token": route(self.token, "discord"),
            "/api/oauth2/token/revoke": route(self.revoke, "discord"),
            "/api/oauth2/@me": route(self.identity, "discord"),
        }

    def authorize(self, login_url: str, provider: str) -> str:
        """The user consents; the code the provider would send to the redirect URI."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(login_url).query).items()}
        assert query["client_id"] == CLIENTS[provider][0]
        assert query["response_type"] == "code"
        assert query["code_challenge_method"] == "S256"
        code = f"code-{provider}-{next(_serial)}"
        self.codes[code] = {
            "provider": provider,
            "redirect_uri": query["redirect_uri"],
            "challenge": query["code_challenge"],
            "scopes": query.get("scope", "").split(),
        }
        return code

    def issue(self, provider: str, scopes: list[str]) -> dict[str, Any]:
        grant = Grant(provider, scopes, self.usernames[provider])
        access, refresh = f"at-{secrets.token_hex(8)}", f"rt-{secrets.token_hex(8)}"
        self.access_tokens[access] = grant
        self.refresh_tokens[refresh] = grant
        separator = "," if provider == "github" else " "
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": refresh,
            "scope": separator.join(scopes),
        }

    # -- token endpoint (all three providers)

    def token(self, req: RecordedRequest, provider: str) -> Answer:
        form = _form(req)
        client_id, secret = _basic(req) or (form.get("client_id", ""), form.get("client_secret", ""))
        if (client_id, secret) != CLIENTS[provider]:
            return self._error(provider, 401, "invalid_client")
        if form.get("grant_type") == "authorization_code":
            issued = self.codes.pop(form.get("code", ""), None)
            if (
                issued is None
                or issued["provider"] != provider
                or issued["redirect_uri"] != form.get("redirect_uri")
                or issued["challenge"] != _s256(form.get("code_verifier", ""))
            ):
                return self._error(provider, 400, "invalid_grant")
            return _json(200, self.issue(provider, issued["scopes"]))
        if form.get("grant_type") == "refresh_token":
            grant = self.refresh_tokens.get(form.get("refresh_token", ""))
            if grant is None or grant.provider != provider:
                return self._error(provider, 400, "invalid_grant")
            reply = self.issue(provider, grant.scopes)
            if provider == "google":  # Google keeps the refresh token
                del self.refresh_tokens[reply.pop("refresh_token")]
            return _json(200, reply)
        return self._error(provider, 400, "unsupported_grant_type")

    def _error(self, provider: str, status: int, error: str) -> Answer:
        # GitHub's token endpoint reports errors with 200 OK
        return _json(200 if provider == "github" else status, {"error": error})

    # -- identity and revocation

    def _bearer(self, req: RecordedRequest) -> Grant | None:
        value = _headers(req).get("authorization", "")
        return self.access_tokens.get(value.removeprefix("Bearer ")) if value.startswith("Bearer ") else None

    def identity(self, req: RecordedRequest, provider: str) -> Answer:
        grant = self._bearer(req)
        if grant is None or grant.provider != provider:
            return _json(401, {"error": {"code": 401, "message": "Invalid Credentials"}})
        if provider == "google":
            return _json(200, {"id": "1", "email": grant.username, "verified_email": True})
        if provider == "github":
            return _json(200, {"login": grant.username, "id": 1})
        return _json(
            200, {"application": {"id": CLIENTS["discord"][0]}, "user": {"username": grant.username}}
        )

    def revoke(self, req: RecordedRequest, provider: str) -> Answer:
        if provider == "github":
            if _basic(req) != CLIENTS["github"]:
                return _json(401, {"message": "Requires authentication"})
            token = json.loads(req.body)["access_token"]
        else:
            if provider == "discord" and _basic(req) != CLIENTS["discord"]:
                return _json(401, {"error": "invalid_client"})
            token = _form(req).get("token", "")
        if self.access_tokens.pop(token, None) is None:
            return _json(400 if provider != "github" else 404, {"error": "invalid_token"})
        self.revoked.append(token)
        return (204, {}, b"") if provider == "github" else _json(200, {})


@contextmanager
def oauth_environment(overrides: Mapping[str, str]) -> Iterator[None]:
    """Client ids/secrets for the three providers, and ``overrides`` (host -> origin)."""
    from agentplatform.config import get_settings
    from agentplatform.platform_secrets import clear_cache

    with pytest.MonkeyPatch.context() as patch:
        for provider, (client_id, secret) in CLIENTS.items():
            patch.setenv(f"{provider.upper()}_CLIENT_ID", client_id)
            patch.setenv(f"{provider.upper()}_CLIENT_SECRET", secret)
        patch.setenv(
            "OUTBOUND_HOST_OVERRIDES", ",".join(f"{host}={origin}" for host, origin in overrides.items())
        )
        patch.setenv("FRONTEND_BASE_URL", FRONTEND)
        get_settings.cache_clear()
        clear_cache()
        try:
            yield
        finally:
            patch.undo()
            get_settings.cache_clear()
            clear_cache()


@pytest.fixture
def oauth_stub() -> Iterator[OAuthProviderStub]:
    stub = OAuthProviderStub()
    with loopback_server(stub.routes()) as server, oauth_environment(dict.fromkeys(HOSTS, server.base_url)):
        stub.server = server
        yield stub
