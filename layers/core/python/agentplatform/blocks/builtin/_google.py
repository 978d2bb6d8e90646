"""What the Google blocks share: the credentials field, upstream's test credentials, and a
small client for Google's REST APIs (Gmail, Calendar) over the SSRF-safe HTTP client.

The engine hands a block credentials whose access token is fresh (refreshed under the
credential's lease when it expires within five minutes), so the client only sends it.
A Google error becomes a ``GoogleApiError`` (a ValueError: the node's ``error`` output)
with the status and Google's message; the token is never part of it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from pydantic import SecretStr

from agentplatform.blocks.credentials import CredentialsField
from agentplatform.models.credentials import CredentialsMetaInput, OAuth2Credentials

if TYPE_CHECKING:
    from agentplatform.net.safe_http import SafeHttpClient

GMAIL_API = "https://gmail.googleapis.com/gmail/v1/users/me"
CALENDAR_API = "https://www.googleapis.com/calendar/v3"
REQUEST_TIMEOUT_SECONDS = 60.0

GoogleCredentials = OAuth2Credentials
GoogleCredentialsInput = CredentialsMetaInput


def google_oauth_is_configured() -> bool:
    """Whether Google sign-in can work here (upstream disables the blocks otherwise).

    Read from the environment only, so loading the blocks never calls Secrets Manager: a
    ``PLATFORM_SECRETS_ARN`` is taken to hold the Google app."""
    env = os.environ
    has_app = bool(env.get("GOOGLE_CLIENT_ID", "").strip() and env.get("GOOGLE_CLIENT_SECRET", "").strip())
    return has_app or bool(env.get("PLATFORM_SECRETS_ARN", "").strip())


def GoogleCredentialsField(scopes: Iterable[str]) -> Any:
    return CredentialsField(
        provider="google",
        supported_types=["oauth2"],
        required_scopes=scopes,
        description="The Google integration requires OAuth2 authentication.",
    )


TEST_CREDENTIALS = OAuth2Credentials(
    id="01234567-89ab-cdef-0123-456789abcdef",
    provider="google",
    access_token=SecretStr("mock-google-access-token"),
    refresh_token=SecretStr("mock-google-refresh-token"),
    access_token_expires_at=1234567890,
    scopes=[
        "https://www.googleapis.com/auth/gmail.readonly",
        "https://www.googleapis.com/auth/gmail.send",
    ],
    title="Mock Google OAuth2 Credentials",
    username="mock-google-username",
    refresh_token_expires_at=1234567890,
)

TEST_CREDENTIALS_INPUT = {
    "provider": TEST_CREDENTIALS.provider,
    "id": TEST_CREDENTIALS.id,
    "type": TEST_CREDENTIALS.type,
    "title": TEST_CREDENTIALS.title,
}


def google_credentials(kwargs: Mapping[str, Any]) -> OAuth2Credentials:
    """The ``credentials`` the engine passed to ``run``."""
    credentials = kwargs.get("credentials")
    if not isinstance(credentials, OAuth2Credentials) or credentials.provider != "google":
        raise ValueError("Google OAuth2 credentials are required")
    return credentials


class GoogleApiError(ValueError):
    """Google answered a request with an error status."""


def _error_message(api: str, status: int, content: bytes) -> str:
    try:
        error = json.loads(content).get("error")
    except (ValueError, AttributeError):
        error = None
    detail = error.get("message") if isinstance(error, dict) else error
    text = f"{api} API error {status}"
    return f"{text}: {str(detail)[:300]}" if detail else text


def _param(value: Any) -> Any:
    return str(value).lower() if isinstance(value, bool) else value  # Google wants true/false


class GoogleApi:
    """Authorized JSON requests to one Google API; opens its connection on first use.

    ``async with GoogleApi(credentials, "Gmail") as api: await api.get(url, params)``
    """

    def __init__(self, credentials: OAuth2Credentials, name: str):
        self._token = credentials.access_token
        self.name = name
        self._http: SafeHttpClient | None = None

    async def __aenter__(self) -> GoogleApi:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.aclose()

    async def get(self, url: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return await self.request("GET", url, params=params)

    async def post(self, url: str, body: Any) -> dict[str, Any]:
        return await self.request("POST", url, body=body)

    async def request(
        self, method: str, url: str, *, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> dict[str, Any]:
        if self._http is None:
            from agentplatform.net.safe_http import SafeHttpClient

            self._http = SafeHttpClient(timeout=REQUEST_TIMEOUT_SECONDS)
        query = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        if query:
            url = f"{url}?{urlencode(query, doseq=True)}"
        headers = {"Authorization": f"Bearer {self._token.get_secret_value()}", "Accept": "application/json"}
        response = await self._http.request(method, url, headers=headers, json=body)
        if response.status_code >= 400:
            raise GoogleApiError(_error_message(self.name, response.status_code, response.content))
        if not response.content:
            return {}
        payload = response.json()
        return payload if isinstance(payload, dict) else {"value": payload}
