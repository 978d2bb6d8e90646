"""What every OAuth provider shares: the authorization-code grant with PKCE (S256), token
refresh, and the shape of a provider handler.

The protocol pieces come from authlib (grant URI, token-request bodies, client
authentication, token expiry); every request is sent by the caller's
``SafeHttpClient``, so authlib never opens a connection of its own. A provider is one
small subclass: its endpoints, default scopes, how it revokes tokens and how it names
the signed-in account.

Errors raised here are ``OAuthProviderError`` (a ValueError: a 400 on the API, a failed
node in a run) and carry the endpoint's status and the provider's OAuth error code,
never a token, code or client secret.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import SecretStr

from agentplatform.models.credentials import OAuth2Credentials
from agentplatform.models.ids import new_id

if TYPE_CHECKING:
    from agentplatform.net.safe_http import SafeHttpClient, SafeResponse

FORM = "application/x-www-form-urlencoded"
# Refresh this long before the access token expires, as upstream does.
REFRESH_MARGIN_SECONDS = 300
# Token endpoints answer in well under a second; this bounds a stuck one inside the API's 29 s.
TOKEN_TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True)
class OAuthApp:
    """The platform's registered app at one provider, and where the provider sends users back."""

    client_id: str
    client_secret: str
    redirect_uri: str


class OAuthProviderError(ValueError):
    """The provider refused or failed a request."""


def provider_error(provider: str, what: str, response: SafeResponse) -> OAuthProviderError:
    """A message with the status and the provider's error code only (bodies may echo secrets)."""
    code = ""
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        error = payload.get("error")
        code = error if isinstance(error, str) else str((error or {}).get("status") or "")
    suffix = f" ({code[:80]})" if code else ""
    return OAuthProviderError(f"{provider} {what} failed with HTTP {response.status_code}{suffix}")


def _unique(scopes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(scope for scope in scopes if scope))


class BaseOAuthHandler:
    """One provider's OAuth2 authorization-code flow. Subclasses set the class attributes
    and implement ``revoke_tokens`` and ``request_username``."""

    PROVIDER_NAME: ClassVar[str]
    AUTHORIZE_URL: ClassVar[str]
    TOKEN_URL: ClassVar[str]
    DEFAULT_SCOPES: ClassVar[tuple[str, ...]] = ()
    # How the token endpoint wants the client authenticated (authlib's method names).
    TOKEN_ENDPOINT_AUTH: ClassVar[str] = "client_secret_post"
    # How the token response's ``scope`` separates granted scopes.
    GRANTED_SCOPE_SEPARATOR: ClassVar[str | None] = None  # None: any whitespace

    def __init__(self, app: OAuthApp):
        self.app = app

    # -- provider-specific

    def authorization_params(self) -> dict[str, str]:
        """Extra query parameters of the login URL."""
        return {}

    def login_scopes(self, scopes: Sequence[str]) -> list[str]:
        """The scopes to ask for when the user asked for ``scopes``."""
        return self.handle_default_scopes(scopes)

    async def revoke_tokens(self, http: SafeHttpClient, credentials: OAuth2Credentials) -> bool:
        """Revoke at the provider; True when the provider confirmed it."""
        raise NotImplementedError

    async def request_username(self, http: SafeHttpClient, access_token: str) -> str | None:
        """The signed-in account's name (email, login, ...), or None if it cannot be read."""
        raise NotImplementedError

    # -- the protocol

    def handle_default_scopes(self, scopes: Sequence[str]) -> list[str]:
        return _unique(scopes) or list(self.DEFAULT_SCOPES)

    def login_url(self, scopes: Sequence[str], state: str, code_challenge: str) -> str:
        from authlib.oauth2.rfc6749.parameters import prepare_grant_uri

        url: str = prepare_grant_uri(
            self.AUTHORIZE_URL,
            self.app.client_id,
            "code",
            redirect_uri=self.app.redirect_uri,
            scope=self.login_scopes(scopes) or None,
            state=state,
            code_challenge=code_challenge,
            code_challenge_method="S256",
            **self.authorization_params(),
        )
        return url

    async def exchange_code_for_tokens(
        self, http: SafeHttpClient, code: str, scopes: Sequence[str], code_verifier: str
    ) -> OAuth2Credentials:
        token = await self._token_request(
            http,
            "authorization_code",
            "code exchange",
            code=code,
            redirect_uri=self.app.redirect_uri,
            code_verifier=code_verifier,
        )
        username = await self.request_username(http, token["access_token"])
        return self._credentials(token, scopes, username)

    def basic_auth_header(self) -> str:
        """HTTP Basic client authentication (revocation endpoints want it)."""
        from authlib.oauth2.auth import ClientAuth

        auth = ClientAuth(self.app.client_id, self.app.client_secret, "client_secret_basic")
        header: str = auth.prepare("POST", self.TOKEN_URL, {}, "")[1]["Authorization"]
        return header

    async def refresh_tokens(self, http: SafeHttpClient, credentials: OAuth2Credentials) -> OAuth2Credentials:
        """New tokens for ``credentials`` (same id, title and account); unchanged if the
        provider gave no refresh token (e.g. a GitHub app without token expiry)."""
        if credentials.provider != self.PROVIDER_NAME:
            raise ValueError(f"{type(self).__name__} cannot refresh '{credentials.provider}' credentials")
        if credentials.refresh_token is None:
            return credentials
        token = await self._token_request(
            http, "refresh_token", "token refresh", refresh_token=credentials.refresh_token.get_secret_value()
        )
        return self._credentials(token, credentials.scopes, credentials.username, previous=credentials)

    async def _token_request(
        self, http: SafeHttpClient, grant_type: str, what: str, **params: str
    ) -> dict[str, Any]:
        from authlib.oauth2.auth import ClientAuth
        from authlib.oauth2.rfc6749.parameters import prepare_token_request
        from authlib.oauth2.rfc6749.wrappers import OAuth2Token

        body = prepare_token_request(grant_type, **params)
        auth = ClientAuth(self.app.client_id, self.app.client_secret, self.TOKEN_ENDPOINT_AUTH)
        headers = {"Content-Type": FORM, "Accept": "application/json"}
        url, headers, body = auth.prepare("POST", self.TOKEN_URL, headers, body)
        response = await http.request("POST", url, headers=headers, data=body)
        try:
            payload = response.json()
        except ValueError:
            payload = None
        # GitHub answers errors with 200 and an ``error`` field.
        if response.status_code >= 400 or not isinstance(payload, dict) or "access_token" not in payload:
            raise provider_error(self.PROVIDER_NAME, what, response)
        return dict(OAuth2Token.from_dict(payload))  # adds ``expires_at`` from ``expires_in``

    def _granted_scopes(self, token: dict[str, Any]) -> list[str]:
        raw = token.get("scope")
        if isinstance(raw, list):
            return _unique(str(scope) for scope in raw)
        if not isinstance(raw, str):
            return []
        return _unique(part.strip() for part in raw.split(self.GRANTED_SCOPE_SEPARATOR))

    def _credentials(
        self,
        token: dict[str, Any],
        requested_scopes: Sequence[str],
        username: str | None,
        previous: OAuth2Credentials | None = None,
    ) -> OAuth2Credentials:
        refresh = token.get("refresh_token")
        refresh_expires_in = token.get("refresh_token_expires_in")
        if refresh:
            refresh_expires_at = int(time.time()) + int(refresh_expires_in) if refresh_expires_in else None
        elif previous and previous.refresh_token:  # Google keeps the refresh token and sends none
            refresh = previous.refresh_token.get_secret_value()
            refresh_expires_at = previous.refresh_token_expires_at
        else:
            refresh_expires_at = None
        expires_at = token.get("expires_at")
        return OAuth2Credentials(
            id=previous.id if previous else new_id(),
            provider=self.PROVIDER_NAME,
            title=previous.title if previous else None,
            username=username,
            access_token=SecretStr(str(token["access_token"])),
            access_token_expires_at=int(expires_at) if expires_at else None,
            refresh_token=SecretStr(refresh) if refresh else None,
            refresh_token_expires_at=refresh_expires_at,
            scopes=self._granted_scopes(token) or list(requested_scopes),
            metadata=dict(previous.metadata) if previous else {},
        )
