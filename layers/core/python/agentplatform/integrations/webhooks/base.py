"""The per-provider webhook manager: how one provider's webhooks are made and trusted.

A provider plugs in by subclassing ``WebhooksManager`` and listing the class in
``agentplatform.integrations.webhooks.MANAGERS``. The manager sees requests as plain
headers and body bytes (no web framework), so the same code serves the API Lambda and
tests. Failures are the platform's errors: ``NotAuthorizedError`` (403) for a request
that fails verification, ``ValueError`` (400) for a payload it cannot read.

Manual webhooks (the user points a service at the URL) need only ``verify_signature``
and ``validate_payload``. Providers whose webhooks the platform registers itself (e.g.
GitHub repository hooks, signed with the webhook's ``secret`` as X-Hub-Signature-256)
also implement ``register``/``deregister`` with the user's credentials, through the
SSRF-safe HTTP client.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from agentplatform.errors import NotAuthorizedError


class WebhooksManager:
    PROVIDER_NAME: ClassVar[str]

    def verify_signature(
        self,
        webhook: Mapping[str, Any],
        presets: Sequence[Mapping[str, Any]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        """Refuse a request that does not prove it comes from the provider.

        Default: nothing to check (the unguessable URL is the credential), as for
        providers whose protocol does not sign deliveries. ``headers`` keys are lower case.
        """

    def validate_payload(
        self, webhook: Mapping[str, Any], headers: Mapping[str, str], body: bytes
    ) -> tuple[dict[str, Any], str]:
        """The event's payload and its type."""
        raise NotImplementedError

    def trigger_ping(self, webhook: Mapping[str, Any]) -> bool:
        """Ask the provider to send a test event; False when the provider cannot."""
        return False

    def register(self, webhook: Mapping[str, Any], credentials: Any) -> tuple[str, dict[str, Any]]:
        """Create the webhook at the provider: (its id there, provider config). Manual: nothing."""
        return "", {}

    def deregister(self, webhook: Mapping[str, Any], credentials: Any) -> None:
        """Remove the webhook at the provider. Manual: nothing."""


def require_equal(expected: str, provided: str | None, header: str) -> None:
    """Constant-time comparison of a shared secret (no timing side channel)."""
    if not provided or not hmac.compare_digest(provided.encode(), expected.encode()):
        raise NotAuthorizedError(f"Invalid or missing {header} header")
