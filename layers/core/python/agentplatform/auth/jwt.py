"""Bearer-token verification, pinned to configured algorithms and audience.

HS* tokens verify with ``JWT_VERIFY_KEY`` (fallback ``SUPABASE_JWT_SECRET``). ES*/RS*
tokens verify with a PEM public key in ``JWT_VERIFY_KEY`` or with keys fetched from
``JWT_JWKS_URL`` (cached). ``alg=none`` and any algorithm not listed in
``JWT_SIGN_ALGORITHM`` are refused before any key is looked up.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

import jwt

from agentplatform.config import Settings

_JWKS_CACHE_SECONDS = 600
_jwks_lock = threading.Lock()


class TokenError(Exception):
    """The token cannot be trusted. ``str(exc)`` is the client-facing 401 message."""


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=_JWKS_CACHE_SECONDS, timeout=5)


def _verification_key(token: str, algorithm: str, settings: Settings) -> Any:
    if algorithm.startswith("HS"):
        if not settings.jwt_verify_key:
            raise TokenError("Invalid token: no verification key is configured")
        return settings.jwt_verify_key
    if settings.jwt_jwks_url:
        with _jwks_lock:
            return _jwks_client(settings.jwt_jwks_url).get_signing_key_from_jwt(token).key
    if settings.jwt_verify_key.startswith("-----BEGIN"):
        return settings.jwt_verify_key
    raise TokenError("Invalid token: no public key is configured for asymmetric tokens")


def decode_token(token: str, settings: Settings) -> dict[str, Any]:
    """Verify ``token`` and return its claims, or raise ``TokenError``."""
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
    except jwt.InvalidTokenError as exc:
        raise TokenError(f"Invalid token: {exc}") from None
    allowed = [alg for alg in settings.jwt_algorithms if alg.lower() != "none"]
    if not isinstance(algorithm, str) or algorithm not in allowed:
        raise TokenError("Invalid token: The specified alg value is not allowed")
    try:
        key = _verification_key(token, algorithm, settings)
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=settings.jwt_audience,
            options={"require": ["exp"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("Token has expired") from None
    except jwt.PyJWKClientError as exc:
        raise TokenError(f"Invalid token: {exc}") from None
    except jwt.InvalidTokenError as exc:
        raise TokenError(f"Invalid token: {exc}") from None
    _require_numeric_dates(claims)
    return claims


def _require_numeric_dates(claims: dict[str, Any]) -> None:
    """RFC 7519 NumericDate claims must be JSON numbers; PyJWT also takes ``"1700000000"``."""
    for name in ("exp", "nbf", "iat"):
        value = claims.get(name)
        if name in claims and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise TokenError(f"Invalid token: {name} must be a number")
