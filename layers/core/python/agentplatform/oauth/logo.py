"""``POST /api/oauth/apps/{app_id}/logo/upload``: an OAuth app's logo, as upstream checks it.

The owner's app is found first (another user's app is a 404 before any byte is read
further), then the file: at most 3 MB (413), a JPEG, PNG or WebP by its bytes, not by
what the client declares (415, sniffed as uploads are), square and 512 to 2048 pixels
a side (400, read from the image header). Only then is it stored in public media
(``store/media.py``) and the app's ``logo_url`` pointed at it: the public origin's URL,
or else ``/api/oauth/apps/<app>/logo/<file>``, which redirects to a signed URL. The
app's previous uploaded logo is deleted (only this app's own: a URL set by hand that
names another app's logo is left alone).
"""

from __future__ import annotations

import io
import logging
import re
import uuid
from typing import Any

from agentplatform.errors import NotFoundError, PayloadTooLargeError, UnsupportedMediaTypeError
from agentplatform.files.sniff import sniff_content_type
from agentplatform.models.oauth import OAuthApplicationInfo
from agentplatform.oauth.service import OAuthService
from agentplatform.store import keys, media

logger = logging.getLogger(__name__)

LOGO_MIN_SIZE = 512
LOGO_MAX_SIZE = 2048
LOGO_MAX_FILE_SIZE = 3 * 1024 * 1024
LOGO_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
_LOGO_FILE = re.compile(r"^[0-9a-f-]{36}\.(jpg|png|webp)$")


def owned_app(service: OAuthService, owner_id: str, app_id: str) -> dict[str, Any]:
    """Before the file is read: the caller's app (404)."""
    app = service.repo.app(owner_id, app_id)
    if app is None:
        raise NotFoundError("OAuth App not found")
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
    service: OAuthService,
    owner_id: str,
    app: dict[str, Any],
    file_name: str | None,
    content: bytes,
    api_base_url: str,
) -> OAuthApplicationInfo:
    """Check and store the logo of ``app`` (from ``owned_app``) and point the app at it."""
    if len(content) > LOGO_MAX_FILE_SIZE:
        raise too_large()
    content_type = sniff_content_type(content, None, file_name or "logo")
    if content_type not in LOGO_EXTENSIONS:
        raise UnsupportedMediaTypeError(f"Invalid file type. Allowed: JPEG, PNG, WebP. Got: {content_type}")
    _check_dimensions(content)

    app_id = app["id"]
    stored = f"{uuid.uuid4()}{LOGO_EXTENSIONS[content_type]}"
    key = keys.oauth_app_logo_prefix(app_id) + stored
    media.put(key, content, content_type)
    updated = service.set_logo(owner_id, app_id, media.url(key, logo_path(app_id, stored), api_base_url))
    _delete_previous(app_id, app.get("logo_url"))
    logger.info("OAuth app %s logo uploaded by its owner", app_id)
    return updated


def logo_path(app_id: str, file_name: str) -> str:
    """The API route of an uploaded logo (it redirects to the file)."""
    return f"/api/oauth/apps/{app_id}/logo/{file_name}"


def signed_logo_url(app_id: str, file_name: str) -> str:
    """Where ``logo_path`` redirects: a short-lived URL of the file (404 for a name no
    upload issued)."""
    if not _LOGO_FILE.match(file_name):
        raise NotFoundError("Logo not found")
    return media.signed_url(keys.oauth_app_logo_prefix(app_id) + file_name)


def _uploaded_key(app_id: str, logo_url: str | None) -> str | None:
    """The key of this app's uploaded logo that ``logo_url`` points at, if it does."""
    if not logo_url:
        return None
    prefix = keys.oauth_app_logo_prefix(app_id)
    route = logo_path(app_id, "")
    key = media.key_of(logo_url)
    if key is None and route in logo_url:  # the API route of one of its uploads
        key = prefix + logo_url.rsplit(route, 1)[1]
    if key is None or not key.startswith(prefix) or not _LOGO_FILE.match(key[len(prefix) :]):
        return None
    return key


def _delete_previous(app_id: str, logo_url: str | None) -> None:
    old_key = _uploaded_key(app_id, logo_url)
    if old_key is None:
        return
    try:
        media.delete(old_key)
    except Exception:  # the new logo is in place; an orphaned file is harmless
        logger.warning("Old logo of OAuth app %s not deleted", app_id, exc_info=True)
