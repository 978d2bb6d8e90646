"""Signed one-click unsubscribe tokens (upstream's format, so its links keep working).

A token is ``base64url("<user id>:<hex HMAC-SHA256 of the user id>")`` keyed with
``UNSUBSCRIBE_SECRET_KEY``. It names no action and never expires: all it can do is turn
that user's notifications off, which is what every email offers anyway.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from urllib.parse import quote_plus

from agentplatform.config import get_settings
from agentplatform.errors import MissingConfigError

SECRET_SETTING = "UNSUBSCRIBE_SECRET_KEY"


class InvalidUnsubscribeToken(ValueError):
    def __init__(self) -> None:
        super().__init__("Invalid unsubscribe token")


def _secret() -> bytes:
    from agentplatform.platform_secrets import platform_secret

    secret = platform_secret(SECRET_SETTING)
    if not secret:
        raise MissingConfigError(
            f"{SECRET_SETTING} is not configured: unsubscribe links cannot be made or checked"
        )
    return secret.encode()


def _signature(user_id: str) -> str:
    return hmac.new(_secret(), user_id.encode(), hashlib.sha256).hexdigest()


def unsubscribe_token(user_id: str) -> str:
    return base64.urlsafe_b64encode(f"{user_id}:{_signature(user_id)}".encode()).decode()


def user_of_token(token: str) -> str:
    """The user id a genuine token names; ``InvalidUnsubscribeToken`` otherwise."""
    try:
        decoded = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidUnsubscribeToken() from None
    user_id, sep, signature = decoded.rpartition(":")
    if not sep or not user_id or not hmac.compare_digest(_signature(user_id).encode(), signature.encode()):
        raise InvalidUnsubscribeToken()
    return user_id


def unsubscribe_url(user_id: str) -> str:
    """Absolute: a mail client has no page to resolve a bare path against."""
    base = get_settings().platform_base_url
    if not base:
        raise MissingConfigError("PLATFORM_BASE_URL is not configured: unsubscribe links cannot be made")
    return f"{base}/api/email/unsubscribe?token={quote_plus(unsubscribe_token(user_id))}"
