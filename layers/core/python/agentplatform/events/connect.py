"""``$connect`` and ``$disconnect``: who is connecting, and remembering the connection.

AutoGPT authenticates with the ``token`` query parameter and closes with 4001 (no
token), 4002 (a valid token without ``sub``) or 4003 (a token that does not verify).
API Gateway can only refuse the handshake with an HTTP status, so each rejection
carries both; docs/websocket.md explains the mapping.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from agentplatform.config import DEFAULT_USER_ID, Settings
from agentplatform.store.connections import ConnectionRepository

# API Gateway closes every connection after 2 hours; the margin covers clock skew.
CONNECTION_TTL_SECONDS = 2 * 3600 + 300


@dataclass(frozen=True)
class Rejection:
    close_code: int
    reason: str
    status_code: int


MISSING_TOKEN = Rejection(4001, "Missing authentication token", 401)
NO_SUBJECT = Rejection(4002, "Invalid token", 403)
BAD_TOKEN = Rejection(4003, "Invalid token", 403)


def authenticate(token: str | None, settings: Settings) -> str | Rejection:
    """The connecting user's id, or why the connection is refused."""
    if not settings.enable_auth:
        return DEFAULT_USER_ID
    if not token:
        return MISSING_TOKEN
    from agentplatform.auth.jwt import TokenError, decode_token

    try:
        claims = decode_token(token, settings)
    except TokenError:
        return BAD_TOKEN
    subject = claims.get("sub")
    if not subject or not isinstance(subject, str):
        return NO_SUBJECT
    return subject


def connect(
    connection_id: str,
    token: str | None,
    settings: Settings,
    repo: ConnectionRepository | None = None,
) -> Rejection | None:
    """Register the connection for its user, or return the rejection."""
    user = authenticate(token, settings)
    if isinstance(user, Rejection):
        return user
    (repo or ConnectionRepository()).add(
        connection_id,
        user,
        connected_at=datetime.now(UTC).isoformat(),
        expires_at=int(time.time()) + CONNECTION_TTL_SECONDS,
    )
    return None


def disconnect(connection_id: str, repo: ConnectionRepository | None = None) -> None:
    (repo or ConnectionRepository()).remove(connection_id)
