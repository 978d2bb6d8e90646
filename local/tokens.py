"""Development tokens: HS256 JWTs shaped like Supabase's, for the local cloud."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import jwt

from agentplatform.config import DEFAULT_USER_ID

_SECRET_FILE = "jwt_secret"


def mint(
    secret: str,
    *,
    sub: str = DEFAULT_USER_ID,
    role: str = "authenticated",
    email: str = "dev@example.com",
    ttl_seconds: int = 30 * 24 * 3600,
) -> str:
    now = int(time.time())
    claims = {
        "sub": sub,
        "role": role,
        "email": email,
        "aud": "authenticated",
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def load_or_create_secret(state_dir: Path) -> str:
    """The state dir's signing secret, generated (and kept private) on first use."""
    path = state_dir / _SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    state_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret
