"""What blocks that call a third-party service share.

- ``ServiceClient``: every request goes through the SSRF-safe client (so
  ``OUTBOUND_HOST_OVERRIDES`` and ``TRUST_ENDPOINTS_FOR_REQUESTS`` apply), and every
  failure becomes one ``ServiceError`` (a ``ValueError``, so the node fails with it on
  its ``error`` pin) that reads ``<Service> API error <status>: <the service's own
  message>``. The secrets the block holds are scrubbed from that text, and transport
  errors name only their kind: request headers never reach a message.
- ``mock_credentials``: the mock credentials upstream's test vectors use.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic import SecretStr

from agentplatform.models.credentials import APIKeyCredentials, UserPasswordCredentials
from agentplatform.net.safe_http import BlockedRequestError, SafeHttpClient, SafeResponse

DEFAULT_TIMEOUT_SECONDS = 60.0
MAX_MESSAGE_CHARS = 500
# Upstream gives every block's mock credentials this id.
MOCK_CREDENTIALS_ID = "01234567-89ab-cdef-0123-456789abcdef"


class ServiceError(ValueError):
    """A service call failed; ``status_code`` is the HTTP status when there was one."""

    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


def error_detail(response: SafeResponse) -> str:
    """The service's own explanation from the common JSON error shapes, else the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:MAX_MESSAGE_CHARS] or "no details given"
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):  # Google: {"error": {"message": ..., "status": ...}}
            body = error
        elif isinstance(error, str) and error:
            return error[:MAX_MESSAGE_CHARS]
        for key in ("readableMessage", "message", "detail", "error_description"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:MAX_MESSAGE_CHARS]
    return json.dumps(body)[:MAX_MESSAGE_CHARS]


class ServiceClient:
    """One service's HTTP calls for one block run (use as ``async with``)."""

    def __init__(
        self,
        service: str,
        *,
        headers: dict[str, str] | None = None,
        secrets: Iterable[str | None] = (),
        proxy: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ):
        self.service = service
        self._headers = dict(headers or {})
        self._secrets = [secret for secret in secrets if secret]
        self._http = SafeHttpClient(timeout=timeout, proxy=proxy)

    async def __aenter__(self) -> ServiceClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    async def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        allow_status: Iterable[int] = (),
    ) -> SafeResponse:
        """The response; a status >= 400 not in ``allow_status`` raises ``ServiceError``."""
        import httpx  # deferred with the client itself

        try:
            response = await self._http.request(
                method,
                url,
                headers={**self._headers, **(headers or {})},
                json=json,
                data=content,
                sensitive_headers=set(self._headers),
            )
        except BlockedRequestError as exc:
            raise ServiceError(self.scrub(f"{self.service} request refused: {exc}")) from None
        except httpx.HTTPError as exc:
            raise ServiceError(f"{self.service} request failed: {type(exc).__name__}") from None
        if response.status_code >= 400 and response.status_code not in set(allow_status):
            message = f"{self.service} API error {response.status_code}: {error_detail(response)}"
            raise ServiceError(self.scrub(message), response.status_code)
        return response

    async def json(self, method: str, url: str, **kwargs: Any) -> Any:
        response = await self.request(method, url, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise ServiceError(f"{self.service} API returned a response that is not JSON") from None


def mock_credentials(
    provider: str, title: str, *, api_key: str | None = None, username: str | None = None, password: str = ""
) -> tuple[APIKeyCredentials | UserPasswordCredentials, dict[str, str]]:
    """Upstream's mock credentials for a test vector and the input that refers to them
    (whose ``title`` is the credential type, as upstream writes it)."""
    creds: APIKeyCredentials | UserPasswordCredentials
    if username is not None:
        creds = UserPasswordCredentials(
            id=MOCK_CREDENTIALS_ID,
            provider=provider,
            title=title,
            username=SecretStr(username),
            password=SecretStr(password),
        )
    else:
        creds = APIKeyCredentials(
            id=MOCK_CREDENTIALS_ID, provider=provider, title=title, api_key=SecretStr(api_key or "")
        )
    return creds, {"provider": provider, "id": creds.id, "type": creds.type, "title": creds.type}
