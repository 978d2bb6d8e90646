"""Public media (OAuth app logos) in the media bucket (``MEDIA_BUCKET_NAME``).

Objects are served to browsers from ``MEDIA_BASE_URL`` (default: the bucket's S3 URL), so
a stored logo's URL maps back to its key, which is how an old logo is found to delete.
"""

from __future__ import annotations

from typing import Any

from agentplatform.aws import client
from agentplatform.config import get_settings


def _s3() -> Any:
    return client("s3")


def configured() -> bool:
    return bool(get_settings().media_bucket_name)


def base_url() -> str:
    settings = get_settings()
    return settings.media_base_url or f"https://{settings.media_bucket_name}.s3.amazonaws.com"


def url_of(key: str) -> str:
    return f"{base_url()}/{key}"


def key_of(url: str | None) -> str | None:
    """The key behind a URL this storage serves, or None for any other URL."""
    prefix = f"{base_url()}/"
    return url[len(prefix) :] if url and url.startswith(prefix) else None


def put(key: str, content: bytes, content_type: str) -> str:
    """Store the object; returns its public URL."""
    _s3().put_object(Bucket=get_settings().media_bucket_name, Key=key, Body=content, ContentType=content_type)
    return url_of(key)


def delete(key: str) -> None:
    _s3().delete_object(Bucket=get_settings().media_bucket_name, Key=key)
