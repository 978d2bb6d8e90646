"""POSTing JSON to a provider with retries on rate limits and transient failures.

Requests go through ``net.safe_http``: an endpoint a user chose (a credential's
``base_url``, ``ollama_host``) must not reach private or loopback addresses unless
``TRUST_ENDPOINTS_FOR_REQUESTS`` lists it.

A 429 or 5xx is retried (``Retry-After`` honoured, capped) up to ``MAX_RETRIES`` times;
each retry counts in the node's ``llm_retry_count``. Error messages carry the
provider's own message with the caller's secret scrubbed, never request headers.
"""

from __future__ import annotations

import asyncio
from typing import Any

from agentplatform.blocks.stats import record_stats
from agentplatform.llm.types import LLMError

MAX_RETRIES = 3
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 529})
BASE_DELAY_SECONDS = 0.5
MAX_DELAY_SECONDS = 20.0
TIMEOUT_SECONDS = 600.0


def _delay(headers: Any, attempt: int) -> float:
    raw = headers.get("retry-after")
    if raw is not None:
        try:
            return min(max(float(raw), 0.0), MAX_DELAY_SECONDS)
        except ValueError:
            pass
    return float(min(BASE_DELAY_SECONDS * 2**attempt, MAX_DELAY_SECONDS))


def _error_message(resp: Any) -> str:
    try:
        body = resp.json()
    except ValueError:
        return resp.text[:500]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or error.get("type") or error)[:500]
    if isinstance(error, str):
        return error[:500]
    return str(body)[:500]


def scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


async def post_json(
    provider: str, url: str, headers: dict[str, str], body: dict[str, Any], secret: str | None
) -> dict[str, Any]:
    import httpx  # deferred: only LLM calls pay for it

    from agentplatform.net.safe_http import SafeHttpClient

    async with SafeHttpClient(timeout=TIMEOUT_SECONDS) as client:
        for attempt in range(MAX_RETRIES + 1):
            try:
                resp = await client.request(
                    "POST", url, headers=headers, json=body, sensitive_headers={"x-api-key"}
                )
            except httpx.HTTPError as exc:
                if attempt < MAX_RETRIES:
                    record_stats(llm_retry_count=1)
                    await asyncio.sleep(_delay({}, attempt))
                    continue
                raise LLMError(f"{provider} API request failed: {type(exc).__name__}") from None
            if resp.status_code in RETRY_STATUSES and attempt < MAX_RETRIES:
                record_stats(llm_retry_count=1)
                await asyncio.sleep(_delay(resp.headers, attempt))
                continue
            if resp.status_code >= 400:
                message = scrub(_error_message(resp), secret)
                raise LLMError(f"{provider} API error {resp.status_code}: {message}", resp.status_code)
            try:
                data: dict[str, Any] = resp.json()
            except ValueError:
                raise LLMError(f"{provider} API returned a non-JSON response") from None
            return data
    raise LLMError(f"{provider} API request failed")  # pragma: no cover - loop always returns or raises
