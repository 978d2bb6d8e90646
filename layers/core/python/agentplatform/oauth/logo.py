"""``POST /api/oauth/apps/{app_id}/logo/upload``: an OAuth app's logo, as upstream checks it.

The owner's app is found first (another user's app is a 404 before any byte is read
further), then the file: at most 3 MB (413), a JPEG, PNG or WebP by its bytes, not by
what the client declares (415, sniffed as uploads are), square and 512 to 2048 pixels
a side (400, read from the image header). Only then is it stored in public media and the
app's ``logo_url`` pointed at it; the app's previous logo in our media is deleted (only
this app's own logos: a URL set by hand that names another app's logo is left alone).
"""

from __future__ import annotations

import io
import logging
import uuid
from typing import Any

from agentplatform.errors import (
    MissingConfigError,
    NotFoundError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
)
from agentplatform.files.sniff import sniff_content_type
from agentplatform.models.oauth import OAuthApplicationInfo
from agentplatform.oauth.service import OAuthService
from agentplatform.store import keys, media

logger = logging.getLogger(__name__)

LOGO_MIN_SIZE = 512
LOGO_MAX_SIZE = 2048
LOGO_MAX_FILE_SIZE = 3 * 1024 * 1024
LOGO_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


def owned_app(service: OAuthService, owner_id: str, app_id: str) -> dict[str, Any]:
    """Before the file is read: the caller's app (404) and somewhere to put it (503)."""
    app = service.repo.app(owner_id, app_id)
    if app is None:
        raise NotFoundError("OAuth App not found")
    if not media.configured():
        raise MissingConfigError("Media storage is not configured: set MEDIA_BUCKET_NAME")
    return app


def too_large() -> PayloadTooLargeError:
    return PayloadTooLargeError(f"File too large. Maximum size is {LOGO_MAX_FILE_SIZE // 1024 // 1024}MB")


def _check_dimensions(content: bytes) -> None:
    import imagesize  # deferred: only logo uploads need it

    try:
        width, height = imagesize.get(io.BytesIO(content))
    except Exception:  # a header that claims a format and then breaks off
        width = height = -1
    if width <= 0 or height <= 0:
        raise ValueError("Invalid image file")
    if width != height:
        raise ValueError(f"Logo must be square. Got {width}x{height}")
    if width < LOGO_MIN_SIZE:
        raise ValueError(f"Logo too small. Minimum {LOGO_MIN_SIZE}x{LOGO_MIN_SIZE}. Got {width}x{height}")
    if width > LOGO_MAX_SIZE:
        raise ValueError(f"Logo too large. Maximum {LOGO_MAX_SIZE}x{LOGO_MAX_SIZE}. Got {width}x{height}")


def upload_logo(
    service: OAuthService, owner_id: str, app: dict[str, Any], file_name: str | None, content: bytes
) -> OAuthApplicationInfo:
    """Check and store the logo of ``app`` (from ``owned_app``) and point the app at it."""
    if len(content) > LOGO_MAX_FILE_SIZE:
        raise too_large()
    content_type = sniff_content_type(content, None, file_name or "logo")
    if content_type not in LOGO_EXTENSIONS:
        raise UnsupportedMediaTypeError(f"Invalid file type. Allowed: JPEG, PNG, WebP. Got: {content_type}")
    _check_dimensions(content)

    app_id = app["id"]
    key = keys.oauth_app_logo_key(app_id, str(uuid.uuid4()), LOGO_EXTENSIONS[content_type])
    updated = service.set_logo(owner_id, app_id, media.put(key, content, content_type))
    _delete_previous(app_id, app.get("logo_url"))
    logger.info("OAuth app %s logo uploaded by its owner", app_id)
    return updated


def _delete_previous(app_id: str, logo_url: str | None) -> None:
    old_key = media.key_of(logo_url)
    if old_key is None or not old_key.startswith(keys.oauth_app_logo_prefix(app_id)):
        return
    try:
        media.delete(old_key)
    except Exception:  # the new logo is in place; an orphaned file is harmless
        logger.warning("Old logo of OAuth app %s not deleted", app_id, exc_info=True)
