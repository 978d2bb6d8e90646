"""Listing media: images and videos creators upload for their submissions.

A file is accepted only when its bytes are an allowed image or video (sniffed with
``filetype``, not trusted from the client's content type, which must agree) and it is
within ``MEDIA_UPLOAD_MAX_MB``; nothing is stored otherwise. Files go to public media
(``store/media.py``) under ``store-media/<user>/``; without a public origin their URL is
the API's ``/api/store/media/<user>/<file>``, which redirects to a signed URL.
"""

from __future__ import annotations

import uuid

from agentplatform.config import get_settings
from agentplatform.errors import NotFoundError
from agentplatform.store import keys, media

IMAGE_TYPES = {"image/jpeg": ".jpeg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}
VIDEO_TYPES = {"video/mp4": ".mp4", "video/webm": ".webm"}
ALLOWED = {**IMAGE_TYPES, **VIDEO_TYPES}
_FILE_NAME = r"^[0-9a-f]{32}\.(jpeg|png|gif|webp|mp4|webm)$"


class UnsupportedMediaError(ValueError):
    """Not an image or video the store accepts (415)."""


class MediaTooLargeError(ValueError):
    """Over the upload limit (413)."""


def sniff(content: bytes, declared: str | None) -> str:
    """The file's real media type, if allowed and consistent with the declared one."""
    import filetype

    kind = filetype.guess(content[:8192])
    mime = kind.mime if kind is not None else None
    if mime not in ALLOWED:
        raise UnsupportedMediaError(
            f"File type not supported. Must be jpeg, png, gif, webp, mp4 or webm. Content type: {declared}"
        )
    if declared and declared not in (mime, "application/octet-stream"):
        raise UnsupportedMediaError("File signature does not match content type")
    return mime


def upload(user_id: str, content: bytes, declared: str | None, api_base_url: str) -> str:
    """Store an uploaded file and return its URL."""
    limit_mb = get_settings().media_upload_max_mb
    if len(content) > limit_mb * 1024 * 1024:
        raise MediaTooLargeError(f"File too large. Maximum size is {limit_mb}MB")
    mime = sniff(content, declared)
    name = f"{uuid.uuid4().hex}{ALLOWED[mime]}"
    key = keys.store_media_key(user_id, name)
    media.put(key, content, mime)
    return media.url(key, f"/api/store/media/{user_id}/{name}", api_base_url)


def signed_url(user_id: str, file_name: str) -> str:
    """A short-lived URL of an uploaded file (404 for a name the store never issued)."""
    import re

    if not re.match(_FILE_NAME, file_name) or not re.match(r"^[\w-]{1,128}$", user_id):
        raise NotFoundError("Media not found")
    return media.signed_url(keys.store_media_key(user_id, file_name))
