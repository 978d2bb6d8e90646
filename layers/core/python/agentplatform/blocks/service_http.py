"""What every block that calls a third-party service's HTTP API shares.

- ``ServiceClient``: one service's requests for one block run, through the SSRF-safe
  client (so ``OUTBOUND_HOST_OVERRIDES`` and ``TRUST_ENDPOINTS_FOR_REQUESTS`` apply), with
  an optional forward proxy. ``request_json`` is the one-request shortcut.
- Every failure raises ``ServiceError``: a ``ValueError``, so the node ends with an
  ``error`` output. A 4xx/5xx reads ``<Service> API error <status>: <the service's own
  message>``; every secret the block handed in is scrubbed from it, and transport errors
  name only their kind, so request headers never reach a message. Headers carrying a
  secret are dropped if a redirect leaves the host.
- ``poll`` waits for a service's asynchronous job. A node runs inside one ``run_node``
  invocation (Lambda timeout 300 s by default, of which the runner's batch budget may
  already have used 60 s), so waiting is capped by ``SERVICE_POLL_TIMEOUT_SECONDS``
  (default 180 s): a job that takes longer fails the node with a clear message, rather
  than the Lambda being killed and retried, which would start the job a second time.
  ``SERVICE_POLL_INTERVAL_SECONDS`` overrides every service's own polling interval
  (tests set it near zero).
- ``mock_credentials`` / ``credentials_input``: upstream's test-vector credentials.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Self, TypeVar

from pydantic import SecretStr

from agentplatform.models.credentials import APIKeyCredentials, Credentials, UserPasswordCredentials
from agentplatform.net.safe_http import BlockedRequestError, SafeHttpClient, SafeResponse

T = TypeVar("T")

DEFAULT_TIMEOUT_SECONDS = 60.0
MAX_MESSAGE_CHARS = 500
# Upstream gives every block's mock credentials this id.
MOCK_CREDENTIALS_ID = "01234567-89ab-cdef-0123-456789abcdef"


class ServiceError(ValueError):
    """A service call failed; the message is safe to show the user. ``status_code`` is the
    HTTP status when there was one."""

    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


class PollTimeout(ServiceError):
    """A job was still running when the polling budget ran out."""


def error_message(body: Any, fallback: str = "") -> str:
    """The human part of an error reply, in the shapes services use: ``{"error":
    {"message"}}``, ``{"errors": [{"message"}]}``, ``{"readableMessage"}``,
    ``{"message"}``, ``{"detail"}``, ``{"status_message"}``, ``{"error_description"}``,
    ``{"error": "..."}``, ``{"title"}``; else ``fallback`` (the raw body)."""
    if isinstance(body, dict):
        error = body.get("error")
        errors = body.get("errors")
        candidates = [
            error.get("message") if isinstance(error, dict) else None,
            errors[0].get("message")
            if isinstance(errors, list) and errors and isinstance(errors[0], dict)
            else None,
            body.get("readableMessage"),
            body.get("message"),
            body.get("detail"),
            body.get("status_message"),
            body.get("error_description"),
            error,
            body.get("title"),
        ]
        for candidate in candidates:
            if isinstance(candidate, str) and candidate.strip():
                return candidate.strip()
    return fallback.strip() or "no details given"


def error_detail(response: SafeResponse) -> str:
    """``error_message`` of a reply, JSON or not."""
    try:
        body = response.json()
    except ValueError:
        body = None
    return error_message(body, response.text[:MAX_MESSAGE_CHARS])


class ServiceClient:
    """One service's HTTP calls for one block run (use as ``async with``).

    ``headers`` go with every request; ``secrets`` are the values to keep out of error
    messages (and the headers that carry them out of cross-host redirects)."""

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

    async def __aenter__(self) -> Self:
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
        data: Any = None,
        files: Any = None,
        headers: dict[str, str] | None = None,
        allow_status: Iterable[int] = (),
    ) -> SafeResponse:
        """The response; a status >= 400 not in ``allow_status`` raises ``ServiceError``.
        ``data`` is a raw body (bytes, str) or form fields; ``files`` makes it multipart."""
        import httpx  # deferred with the client itself

        headers = {**self._headers, **(headers or {})}
        secret_headers = {name for name, value in headers.items() if any(s in value for s in self._secrets)}
        try:
            response = await self._http.request(
                method,
                url,
                headers=headers,
                json=json,
                data=data,
                files=files,
                sensitive_headers=secret_headers,
            )
        except BlockedRequestError as exc:
            raise ServiceError(self.scrub(f"{self.service} request refused: {exc}")) from None
        except httpx.HTTPError as exc:
            raise ServiceError(f"{self.service} request failed: {type(exc).__name__}") from None
        if response.status_code >= 400 and response.status_code not in set(allow_status):
            detail = self.scrub(error_detail(response))[:MAX_MESSAGE_CHARS]
            raise ServiceError(
                f"{self.service} API error {response.status_code}: {detail}", response.status_code
            )
        return response

    async def json(self, method: str, url: str, **kwargs: Any) -> Any:
        """The parsed JSON reply (``None`` for an empty body)."""
        response = await self.request(method, url, **kwargs)
        if not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            raise ServiceError(
                f"{self.service} API returned a reply that is not JSON", response.status_code
            ) from None


async def request_json(
    service: str,
    method: str,
    url: str,
    *,
    secrets: Iterable[str | None] = (),
    headers: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    **body: Any,
) -> dict[str, Any]:
    """One request on its own connection (``body``: ``json``, ``data`` or ``files``);
    the JSON object the service answered, as ``ServiceClient.json`` and ``json_object``."""
    async with ServiceClient(service, headers=headers, secrets=secrets, timeout=timeout) as client:
        return json_object(await client.json(method, url, **body))


def json_object(reply: Any) -> dict[str, Any]:
    """A reply that should be a JSON object; ``{}`` for an empty body or another shape, so
    callers read missing fields rather than crash on a service's odd answer."""
    return reply if isinstance(reply, dict) else {}


def poll_interval(service_default: float) -> float:
    from agentplatform.config import get_settings

    override = get_settings().service_poll_interval_seconds
    return service_default if override is None else override


def poll_deadline() -> float:
    """When waiting must stop (``time.monotonic()`` based): now + the polling budget."""
    from agentplatform.config import get_settings

    return time.monotonic() + get_settings().service_poll_timeout_seconds


async def poll(
    check: Callable[[], Awaitable[T | None]], *, what: str, interval: float, deadline: float | None = None
) -> T:
    """Call ``check`` until it returns something other than ``None``, pausing
    ``interval`` (the service's own default) between calls, until ``deadline``
    (default: ``SERVICE_POLL_TIMEOUT_SECONDS`` from now)."""
    from agentplatform.config import get_settings

    if deadline is None:
        deadline = poll_deadline()
    pause = poll_interval(interval)
    while True:
        result = await check()
        if result is not None:
            return result
        if time.monotonic() + pause > deadline:
            budget = get_settings().service_poll_timeout_seconds
            raise PollTimeout(f"{what} did not finish within {budget:g} seconds")
        await asyncio.sleep(pause)


def credentials_input(credentials: Credentials, title: str | None = None) -> dict[str, str]:
    """The node input that refers to ``credentials`` (titled as the credential unless
    ``title`` is given: upstream writes the credential type there for some blocks)."""
    return {
        "provider": credentials.provider,
        "id": credentials.id,
        "type": credentials.type,
        "title": title if title is not None else credentials.title or "",
    }


def mock_credentials(
    provider: str,
    title: str,
    *,
    api_key: str | None = None,
    username: str | None = None,
    password: str = "",
    input_title: str | None = None,
) -> tuple[APIKeyCredentials | UserPasswordCredentials, dict[str, str]]:
    """Upstream's mock credentials for a test vector (an API key, default
    ``mock-<provider>-api-key``, or a username and password) and the input naming them."""
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
        key = api_key if api_key is not None else f"mock-{provider}-api-key"
        creds = APIKeyCredentials(
            id=MOCK_CREDENTIALS_ID, provider=provider, title=title, api_key=SecretStr(key)
        )
    return creds, credentials_input(creds, input_title)
