"""Fresh OAuth tokens before use, refreshed by one Lambda at a time.

Upstream refreshes under a Redis lock. Here the lock is a lease on the credential's own
item (a conditional write, ``CredentialsRepository.try_lease``): the Lambda that takes
it re-reads the credential, refreshes at the provider if it still needs it, and stores
the new tokens in the same conditional write that drops the lease. Everyone else polls
until the lease is gone and uses what the holder stored, so concurrent runs cost one
token request. A holder that dies leaves a lease that simply expires.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import TYPE_CHECKING

from agentplatform.integrations.oauth import HANDLERS, oauth_handler
from agentplatform.integrations.oauth.base import (
    REFRESH_MARGIN_SECONDS,
    TOKEN_TIMEOUT_SECONDS,
    OAuthProviderError,
)
from agentplatform.models.credentials import Credentials, OAuth2Credentials

if TYPE_CHECKING:
    from agentplatform.integrations.oauth.base import BaseOAuthHandler
    from agentplatform.store.credentials import CredentialsRepository

logger = logging.getLogger(__name__)

LEASE_SECONDS = 30.0  # longer than a token request may take (TOKEN_TIMEOUT_SECONDS)
POLL_SECONDS = 0.2


def needs_refresh(creds: Credentials) -> bool:
    """An OAuth2 credential of a known provider, with a refresh token, expiring soon."""
    return (
        isinstance(creds, OAuth2Credentials)
        and creds.provider in HANDLERS
        and creds.refresh_token is not None
        and creds.access_token_expires_at is not None
        and creds.access_token_expires_at < time.time() + REFRESH_MARGIN_SECONDS
    )


async def fresh_credentials(
    user_id: str, creds: Credentials, repo: CredentialsRepository | None = None
) -> Credentials:
    """``creds``, or the stored credential with new tokens if its access token expires soon."""
    if not needs_refresh(creds):
        return creds
    from agentplatform.store.credentials import CredentialsRepository

    repo = repo or CredentialsRepository()
    handler = oauth_handler(creds.provider)
    owner = uuid.uuid4().hex
    deadline = time.monotonic() + LEASE_SECONDS + 5
    while True:
        if repo.try_lease(user_id, creds.id, owner, LEASE_SECONDS):
            return await _refresh_leased(user_id, creds.id, owner, handler, repo)
        current, leased = repo.leased_get(user_id, creds.id)
        if current is not None and not needs_refresh(current):
            return current  # the lease holder stored fresh tokens
        if time.monotonic() > deadline:
            raise OAuthProviderError(f"Credentials #{creds.id} are being refreshed elsewhere; try again")
        if leased:
            await asyncio.sleep(POLL_SECONDS)


async def _refresh_leased(
    user_id: str, credentials_id: str, owner: str, handler: BaseOAuthHandler, repo: CredentialsRepository
) -> Credentials:
    from agentplatform.net.safe_http import SafeHttpClient

    stored = False
    try:
        current = repo.get(user_id, credentials_id, consistent=True)
        if not needs_refresh(current):
            return current  # refreshed by someone else between our read and the lease
        assert isinstance(current, OAuth2Credentials)
        try:
            async with SafeHttpClient(timeout=TOKEN_TIMEOUT_SECONDS) as http:
                fresh = await handler.refresh_tokens(http, current)
        except OAuthProviderError:
            raise
        except Exception as exc:
            reason = str(exc) if isinstance(exc, ValueError) else type(exc).__name__
            raise OAuthProviderError(f"{current.provider} token refresh failed: {reason}") from None
        stored = repo.replace_leased(user_id, fresh, owner)
        if not stored:  # the lease expired under us: the tokens are valid, just not saved
            logger.warning("Refreshed credentials #%s after losing their lease", credentials_id)
        return fresh
    finally:
        if not stored:
            repo.release_lease(user_id, credentials_id, owner)
