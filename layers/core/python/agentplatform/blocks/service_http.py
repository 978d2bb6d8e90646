"""What blocks that call a third-party service's HTTP API share: one request helper and
one job poller, both deliberately small.

- Every request goes through ``net.safe_http`` (SSRF checks; ``OUTBOUND_HOST_OVERRIDES``
  can point a service's host at a stub or an egress proxy).
- A 4xx/5xx reply, a transport failure or a reply that is not JSON raises
  ``ServiceError``. It is a ``ValueError``, so the node ends with an ``error`` output,
  and its message names the service and the status and carries the service's own
  message with every secret the caller handed in scrubbed out. Request headers never
  appear in it, and headers holding a secret are dropped if a redirect leaves the host.
- ``poll`` waits for a service's asynchronous job. A node runs inside one ``run_node``
  invocation (Lambda timeout 300 s by default, of which the runner's batch budget may
  already have used 60 s), so waiting is capped by ``SERVICE_POLL_TIMEOUT_SECONDS``
  (default 180 s): a job that takes longer fails the node with a clear message, rather
  than the Lambda being killed and retried, which would start the job a second time.
  ``SERVICE_POLL_INTERVAL_SECONDS`` overrides every service's own polling interval
  (tests set it near zero).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from agentplatform.models.credentials import APIKeyCredentials

T = TypeVar("T")

MAX_MESSAGE_CHARS = 500


class ServiceError(ValueError):
    """A service refused or failed a request; the message is safe to show the user."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class PollTimeout(ServiceError):
    """A job was still running when the polling budget ran out."""


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def error_message(body: Any, fallback: str = "") -> str:
    """The human part of an error reply, in the shapes services use: ``{"error":
    {"message"}}``, ``{"errors": [{"message"}]}``, ``{"message"}``, ``{"detail"}``,
    ``{"status_message"}``, ``{"error": "..."}``, ``{"title"}``."""
    if isinstance(body, dict):
        error = body.get("error")
        errors = body.get("errors")
        candidates = [
            error.get("message") if isinstance(error, dict) else None,
            errors[0].get("message")
            if isinstance(errors, list) and errors and isinstance(errors[0], dict)
            else None,
            body.get("message"),
            body.get("detail"),
            body.get("status_message"),
            error if isinstance(error, str) else None,
            body.get("title"),
        ]
        for candidate in candidates:
            if isinstance(candidate, str) and candidate.strip():
                return candidate.strip()
    return fallback.strip() or "no details given"


async def request_json(
    service: str,
    method: str,
    url: str,
    *,
    secrets: Iterable[str | None] = (),
    headers: dict[str, str] | None = None,
    json: Any = None,
    data: Any = None,
    files: Any = None,
    timeout: float = 60.0,
) -> Any:
    """Send one request and return the parsed JSON reply (``None`` for an empty body)."""
    import httpx  # deferred: only blocks that make requests pay for it

    from agentplatform.net.safe_http import SafeHttpClient

    hidden = [secret for secret in secrets if secret]
    headers = dict(headers or {})
    secret_headers = {name for name, value in headers.items() if any(s in value for s in hidden)}
    try:
        async with SafeHttpClient(timeout=timeout) as client:
            response = await client.request(
                method,
                url,
                headers=headers,
                json=json,
                data=data,
                files=files,
                sensitive_headers=secret_headers,
            )
    except httpx.HTTPError as exc:
        raise ServiceError(f"{service} API request failed: {type(exc).__name__}") from None
    try:
        body = response.json() if response.content.strip() else None
    except ValueError:
        body = None
        if response.status_code < 400:
            raise ServiceError(
                f"{service} API returned a reply that is not JSON", response.status_code
            ) from None
    if response.status_code >= 400:
        detail = scrub(error_message(body, response.text[:MAX_MESSAGE_CHARS]), hidden)[:MAX_MESSAGE_CHARS]
        raise ServiceError(f"{service} API error {response.status_code}: {detail}", response.status_code)
    return body


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


def mock_credentials(provider: str, title: str) -> tuple[APIKeyCredentials, dict[str, str]]:
    """Upstream's mock API key for a block's test vector, and the node input naming it."""
    creds = APIKeyCredentials(
        id="01234567-89ab-cdef-0123-456789abcdef",
        provider=provider,
        api_key=f"mock-{provider}-api-key",  # type: ignore[arg-type]
        title=title,
    )
    return creds, {"provider": provider, "id": creds.id, "type": creds.type, "title": title}
