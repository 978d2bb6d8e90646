"""Revoking OAuth tokens at their provider when a credential is deleted."""

from __future__ import annotations

import logging

from agentplatform.integrations.oauth import HANDLERS, oauth_handler
from agentplatform.integrations.oauth.base import TOKEN_TIMEOUT_SECONDS
from agentplatform.models.credentials import OAuth2Credentials

logger = logging.getLogger(__name__)


async def revoke(creds: OAuth2Credentials) -> bool:
    """True when the provider confirmed the revocation. Never raises: the credential is
    already deleted, and a provider that is down or unconfigured only means False."""
    if creds.provider not in HANDLERS:
        return False
    from agentplatform.net.safe_http import SafeHttpClient

    try:
        handler = oauth_handler(creds.provider)
        async with SafeHttpClient(timeout=TOKEN_TIMEOUT_SECONDS) as http:
            return await handler.revoke_tokens(http, creds)
    except Exception as exc:
        logger.warning("Revoking %s credentials #%s failed: %s", creds.provider, creds.id, type(exc).__name__)
        return False
