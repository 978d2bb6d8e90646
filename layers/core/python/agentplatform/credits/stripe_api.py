"""Stripe, through the official ``stripe`` package, with its HTTP on the platform's client.

The package builds and signs the requests and parses the answers; every byte it sends
goes through ``net.safe_http`` (a custom ``stripe.HTTPClient``), like any other
outbound request: address checks, no environment proxies, and ``OUTBOUND_HOST_OVERRIDES``
(``api.stripe.com=http://127.0.0.1:PORT`` points it at a loopback stub in tests). The
API host stays Stripe's fixed ``https://api.stripe.com``: configuration, not user input.
The key and the webhook secret are platform secrets (``STRIPE_API_KEY``,
``STRIPE_WEBHOOK_SECRET``: an environment variable, else the deployment's secret).

Imported only by requests that reach Stripe: the package is large.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from agentplatform.errors import MissingConfigError
from agentplatform.platform_secrets import platform_secret

if TYPE_CHECKING:
    import stripe

NOT_CONFIGURED = "Payments are not available: Stripe is not configured (set STRIPE_API_KEY)."
_TIMEOUT_SECONDS = 80.0


def _run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to completion from synchronous code, inside a loop or not."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _http_client_class() -> type:
    import stripe

    class SafeStripeHttpClient(stripe.HTTPClient):
        name = "agentplatform-safe-http"

        def request(
            self,
            method: str,
            url: str,
            headers: Mapping[str, str] | None,
            post_data: Any = None,
            *,
            _usage: Any = None,
        ) -> tuple[str, int, Mapping[str, str]]:
            from agentplatform.net.safe_http import SafeHttpClient

            async def send() -> Any:
                async with SafeHttpClient(timeout=_TIMEOUT_SECONDS, max_redirects=0) as http:
                    return await http.request(
                        method, url, headers=dict(headers or {}), data=post_data or None
                    )

            response = _run(send())
            return response.text, response.status_code, response.headers

        def request_stream(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError("streamed Stripe responses are not used")

        def close(self) -> None:
            return None

    return SafeStripeHttpClient


@lru_cache(maxsize=2)
def _client(api_key: str) -> stripe.StripeClient:
    import stripe

    return stripe.StripeClient(api_key, http_client=_http_client_class()(), max_network_retries=2)


def stripe_client() -> stripe.StripeClient:
    """The Stripe client; 503 (``MissingConfigError``) when no key is configured."""
    api_key = platform_secret("STRIPE_API_KEY")
    if not api_key:
        raise MissingConfigError(NOT_CONFIGURED)
    return _client(api_key)


def verified_event(payload: bytes, signature: str | None) -> Any:
    """The webhook event, its ``Stripe-Signature`` verified with the package's own check.
    ``ValueError`` for a bad payload or signature (400); 503 with no secret configured."""
    secret = platform_secret("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise MissingConfigError("Webhook not configured (set STRIPE_WEBHOOK_SECRET).")
    import stripe

    try:
        return stripe.Webhook.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError:
        raise ValueError("Invalid signature") from None
    except ValueError:
        raise ValueError("Invalid payload") from None
