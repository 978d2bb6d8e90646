"""Signing in to a provider: start (login URL + state) and complete (code -> stored credential).

These two functions serve both ``/api/integrations/{provider}/login|callback`` (the
provider redirects to the frontend) and the external API's
``/external-api/v1/integrations/{provider}/oauth/initiate|complete`` (the provider
redirects to the calling app's ``callback_url``; ``state_metadata`` is echoed back on
completion). A state token is bound to its user and provider, expires after
``STATE_LIFETIME_SECONDS`` and works once; its PKCE verifier never leaves the platform.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from agentplatform.integrations.oauth import oauth_app, oauth_handler
from agentplatform.integrations.oauth.base import TOKEN_TIMEOUT_SECONDS, OAuthProviderError
from agentplatform.models.credentials import CredentialsMetaResponse, OAuthState, public_fields

if TYPE_CHECKING:
    from agentplatform.store.oauth_states import OAuthStateRepository

STATE_LIFETIME_SECONDS = 600  # upstream: 10 minutes


class OAuthStateError(ValueError):
    """The state token is unknown, used, expired, another user's or another provider's."""


@dataclass(frozen=True)
class OAuthLogin:
    login_url: str
    state_token: str
    expires_at: int


@dataclass(frozen=True)
class OAuthCompletion:
    credentials: CredentialsMetaResponse
    state_metadata: dict[str, Any] = field(default_factory=dict)


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL fit to be a redirect URI, else None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.username is not None or parts.fragment:  # RFC 6749 §3.1.2: no fragment
        return None
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def callback_origin_allowed(callback_url: str, allowed_origins: Iterable[str]) -> bool:
    """Whether an external app's ``callback_url`` has exactly one of ``allowed_origins``'
    origins (scheme, host and port: another port on the same host is another origin)."""
    origin = _origin(callback_url)
    return origin is not None and origin in {_origin(allowed) for allowed in allowed_origins}


def _states() -> OAuthStateRepository:
    from agentplatform.store.oauth_states import OAuthStateRepository

    return OAuthStateRepository()


def start_oauth(
    user_id: str,
    provider: str,
    scopes: Sequence[str],
    *,
    callback_url: str | None = None,
    state_metadata: dict[str, Any] | None = None,
    initiated_by_api_key_id: str | None = None,
) -> OAuthLogin:
    """A login URL for ``provider`` with a fresh state token and PKCE challenge.

    ``callback_url`` replaces the frontend's redirect URI (external-API flows: the caller
    checks it against its allowed origins first). Raises NotFoundError (no OAuth for that
    provider) or NotConfiguredError (no app configured) before anything is stored.
    """
    from authlib.common.security import generate_token
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    handler = oauth_handler(provider, redirect_uri=callback_url)
    token = secrets.token_urlsafe(32)
    verifier = generate_token(96)  # RFC 7636: 43 to 128 characters
    state = OAuthState(
        provider=provider,
        expires_at=int(time.time()) + STATE_LIFETIME_SECONDS,
        code_verifier=verifier,
        scopes=list(scopes),
        callback_url=callback_url,
        state_metadata=dict(state_metadata or {}),
        initiated_by_api_key_id=initiated_by_api_key_id,
    )
    _states().create(user_id, token, state)
    login_url = handler.login_url(scopes, token, create_s256_code_challenge(verifier))
    return OAuthLogin(login_url=login_url, state_token=token, expires_at=state.expires_at)


async def complete_oauth(
    user_id: str, provider: str, code: str, state_token: str, *, external: bool = False
) -> OAuthCompletion:
    """Exchange ``code`` for tokens and store them as a new encrypted OAuth2 credential.

    The state is consumed first (a replayed callback fails even if the exchange would
    not). ``external=True`` accepts only states started with a ``callback_url``.
    Raises OAuthStateError (400 "Invalid or expired state token") or OAuthProviderError
    (400, the provider refused the code); nothing is stored then.
    """
    from agentplatform.net.safe_http import SafeHttpClient
    from agentplatform.store.credentials import CredentialsRepository

    oauth_app(provider)  # 404/501 before the state is spent
    state = _states().consume(user_id, state_token, provider)
    if state is None:
        raise OAuthStateError("Invalid or expired state token")
    if external and not state.callback_url:
        raise OAuthStateError("State token was not created for external OAuth flow")
    handler = oauth_handler(provider, redirect_uri=state.callback_url)
    scopes = handler.handle_default_scopes(state.scopes)
    try:
        async with SafeHttpClient(timeout=TOKEN_TIMEOUT_SECONDS) as http:
            credentials = await handler.exchange_code_for_tokens(http, code, scopes, state.code_verifier)
    except Exception as exc:
        reason = str(exc) if isinstance(exc, ValueError) else type(exc).__name__
        raise OAuthProviderError(f"OAuth2 callback failed to exchange code for tokens: {reason}") from None
    CredentialsRepository().create(user_id, credentials)
    meta = CredentialsMetaResponse.model_validate(public_fields(credentials))
    return OAuthCompletion(credentials=meta, state_metadata=state.state_metadata)
