"""What the Google blocks share: the credentials field, upstream's test credentials, and a
small client for Google's REST APIs (Gmail, Calendar): a ``ServiceClient`` that sends the
access token and takes query parameters.

The engine hands a block credentials whose access token is fresh (refreshed under the
credential's lease when it expires within five minutes), so the client only sends it.
A Google error becomes a ``ServiceError`` (a ValueError: the node's ``error`` output)
with the status and Google's message; the token is never part of it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from pydantic import SecretStr

from agentplatform.blocks.credentials import CredentialsField
from agentplatform.blocks.service_http import (
    MOCK_CREDENTIALS_ID,
    ServiceClient,
    credentials_input,
    json_object,
)
from agentplatform.models.credentials import CredentialsMetaInput, OAuth2Credentials

GMAIL_API = "https://gmail.googleapis.com/gmail/v1/users/me"
CALENDAR_API = "https://www.googleapis.com/calendar/v3"

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
    id=MOCK_CREDENTIALS_ID,
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

TEST_CREDENTIALS_INPUT = credentials_input(TEST_CREDENTIALS)


def google_credentials(kwargs: Mapping[str, Any]) -> OAuth2Credentials:
    """The ``credentials`` the engine passed to ``run``."""
    credentials = kwargs.get("credentials")
    if not isinstance(credentials, OAuth2Credentials) or credentials.provider != "google":
        raise ValueError("Google OAuth2 credentials are required")
    return credentials


def _param(value: Any) -> Any:
    return str(value).lower() if isinstance(value, bool) else value  # Google wants true/false


class GoogleApi(ServiceClient):
    """Authorized JSON requests to one Google API.

    ``async with GoogleApi(credentials, "Gmail") as api: await api.get(url, params)``
    """

    def __init__(self, credentials: OAuth2Credentials, name: str):
        token = credentials.access_token.get_secret_value()
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        super().__init__(name, headers=headers, secrets=[token])

    async def get(self, url: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        query = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        if query:
            url = f"{url}?{urlencode(query, doseq=True)}"
        return json_object(await self.json("GET", url))

    async def post(self, url: str, body: Any) -> dict[str, Any]:
        return json_object(await self.json("POST", url, json=body))
