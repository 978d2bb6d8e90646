"""OAuth access and refresh tokens: issuing them, and checking an access token.

Kept apart from the protocol flows (``oauth/service.py``) so the external API's Lambda
can check bearer tokens without importing them. Tokens are random (256 bits) and stored
only as their SHA-256, which is also their key.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from agentplatform.models.api_keys import APIKeyPermission, OAuthAccessTokenInfo
from agentplatform.store.oauth import OAuthRepository

ACCESS_TOKEN_PREFIX = "agpt_xt_"
REFRESH_TOKEN_PREFIX = "agpt_rt_"
ACCESS_TOKEN_TTL = timedelta(hours=1)
REFRESH_TOKEN_TTL = timedelta(days=30)


class InvalidTokenError(Exception):
    """An access token that is unknown, expired or revoked, or whose app is disabled."""

    def __init__(self, reason: str):
        super().__init__(f"Invalid token: {reason}")


def secret_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class TokenPair:
    access: IssuedToken
    refresh: IssuedToken
    scopes: list[str]


class TokenService:
    def __init__(self, repo: OAuthRepository | None = None):
        self.repo = repo or OAuthRepository()

    def issue(self, app: dict[str, Any], user_id: str, scopes: list[str]) -> TokenPair:
        now = datetime.now(UTC)
        access = self._issue(
            "access_token", ACCESS_TOKEN_PREFIX, now + ACCESS_TOKEN_TTL, app, user_id, scopes
        )
        refresh = self._issue(
            "refresh_token", REFRESH_TOKEN_PREFIX, now + REFRESH_TOKEN_TTL, app, user_id, scopes
        )
        return TokenPair(access, refresh, scopes)

    def _issue(
        self,
        kind: str,
        prefix: str,
        expires_at: datetime,
        app: dict[str, Any],
        user_id: str,
        scopes: list[str],
    ) -> IssuedToken:
        token = prefix + secrets.token_urlsafe(32)
        self.repo.put_token(
            kind,
            secret_hash(token),
            {
                "id": str(uuid.uuid4()),
                "user_id": user_id,
                "scopes": scopes,
                "application_id": app["id"],
                "app_owner_id": app["owner_id"],
                "client_id": app["client_id"],
                "created_at": datetime.now(UTC).isoformat(),
                "expires_at": expires_at.isoformat(),
                "ttl": epoch(expires_at),
            },
        )
        return IssuedToken(token, expires_at)

    def live_token(self, kind: str, token: str) -> dict[str, Any] | None:
        """The stored token if it exists, is not revoked and has not expired."""
        item = self.repo.token(kind, secret_hash(token))
        if item is None or item.get("revoked_at") or _expired(item):
            return None
        return item

    def validate_access_token(self, token: str) -> tuple[OAuthAccessTokenInfo, dict[str, Any]]:
        """The token's grant and its application; InvalidTokenError otherwise (2 GetItems)."""
        item = self.repo.token("access_token", secret_hash(token))
        if item is None:
            raise InvalidTokenError("access token not found")
        if item.get("revoked_at"):
            raise InvalidTokenError("access token has been revoked")
        if _expired(item):
            raise InvalidTokenError("access token expired")
        app = self.repo.app(item["app_owner_id"], item["application_id"])
        if app is None or not app.get("is_active"):
            raise InvalidTokenError("client application is disabled")
        info = OAuthAccessTokenInfo(
            id=item["id"],
            user_id=item["user_id"],
            scopes=[APIKeyPermission(s) for s in item["scopes"]],
            created_at=item["created_at"],
            expires_at=item["expires_at"],
            application_id=item["application_id"],
        )
        return info, app


def _expired(item: dict[str, Any]) -> bool:
    return datetime.fromisoformat(item["expires_at"]) <= datetime.now(UTC)
