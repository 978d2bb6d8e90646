"""Public media: files the platform hands out by URL (store listing images and videos,
OAuth app logos), in one place.

Objects live in the media bucket: ``MEDIA_BUCKET_NAME`` when a deployment keeps public
files apart, else the values bucket, under each kind's own key prefix. A file's URL is
``MEDIA_BASE_URL/<key>`` when a public origin (a CDN in front of those prefixes) is
configured; otherwise the caller's API route for that kind, which redirects to a
short-lived signed URL (``signed_url``), so a URL handed out never expires.
"""

from __future__ import annotations

from typing import Any

from agentplatform.aws import client
from agentplatform.config import get_settings
from agentplatform.errors import NotFoundError

SIGNED_URL_SECONDS = 3600


def _s3() -> Any:
    return client("s3")


def bucket() -> str:
    settings = get_settings()
    return settings.media_bucket_name or settings.bucket_name


def url(key: str, route: str, api_base_url: str) -> str:
    """The file's URL: at the public origin if one is configured, else the API's
    ``route`` for it (a redirect to ``signed_url``) on the platform's base URL."""
    settings = get_settings()
    if settings.media_base_url:
        return f"{settings.media_base_url}/{key}"
    return f"{(settings.platform_base_url or api_base_url).rstrip('/')}{route}"


def key_of(url: str | None) -> str | None:
    """The key behind a public-origin URL this storage handed out, else None."""
    base = get_settings().media_base_url
    prefix = f"{base}/"
    return url[len(prefix) :] if base and url and url.startswith(prefix) else None


def put(key: str, content: bytes, content_type: str) -> None:
    _s3().put_object(Bucket=bucket(), Key=key, Body=content, ContentType=content_type)


def delete(key: str) -> None:
    _s3().delete_object(Bucket=bucket(), Key=key)


def signed_url(key: str) -> str:
    """A short-lived URL of a stored file (404 when there is none)."""
    s3 = _s3()
    try:
        s3.head_object(Bucket=bucket(), Key=key)
    except Exception as exc:
        if getattr(exc, "response", {}).get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            raise NotFoundError("Media not found") from None
        raise
    params = {"Bucket": bucket(), "Key": key}
    return str(s3.generate_presigned_url("get_object", Params=params, ExpiresIn=SIGNED_URL_SECONDS))
