"""Development tokens: HS256 JWTs shaped like Supabase's, for the local cloud."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import jwt

from agentplatform.config import DEFAULT_USER_ID

SECRET_FILE = "jwt_secret"


class NoSigningSecret(Exception):
    """Neither ``JWT_VERIFY_KEY`` nor a state dir secret: no token the server would accept."""


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
    path = state_dir / SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    state_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret


def signing_secret(state_dir: Path) -> tuple[str, str]:
    """The secret ``agentplatform dev`` verifies tokens with, and where it came from.

    Never creates one: a token signed with a fresh secret is one the running server
    rejects, which is worse than an error naming the state dir it looked in.
    """
    from_env = os.environ.get("JWT_VERIFY_KEY", "").strip()
    if from_env:
        return from_env, "JWT_VERIFY_KEY from the environment"
    path = state_dir / SECRET_FILE
    if not path.exists():
        raise NoSigningSecret(
            f"no signing secret at {path}: start the local cloud first (make dev), or point "
            "LOCAL_STATE_DIR (or --state-dir) at the state dir it uses, or set JWT_VERIFY_KEY"
        )
    return path.read_text().strip(), str(path)
