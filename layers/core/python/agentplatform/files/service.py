"""``POST /api/files/upload``: check, sniff and store a user's file for 1 to 48 hours.

Every check happens before anything is written: an upload over the size limit (413),
of a forbidden type (415) or with a bad expiry (400) leaves no trace. The answer has
upstream's shape; ``file_uri`` is ``s3://<bucket>/uploads/...``, which blocks read
through the platform, for the owner only (``files/reading.py``).
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import UTC, datetime, timedelta

from agentplatform.config import get_settings
from agentplatform.errors import PayloadTooLargeError, UnsupportedMediaTypeError
from agentplatform.files.sniff import is_forbidden, sniff_content_type
from agentplatform.models.files import UploadFileResponse
from agentplatform.store import uploads

MIN_EXPIRATION_HOURS = 1
MAX_EXPIRATION_HOURS = 48
DEFAULT_FILE_NAME = "uploaded_file"
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def size_limit_bytes() -> int:
    return get_settings().upload_file_size_limit_mb * 1024 * 1024


def too_large(size: int) -> PayloadTooLargeError:
    limit_mb = get_settings().upload_file_size_limit_mb
    return PayloadTooLargeError(f"File size ({size} bytes) exceeds the maximum allowed size of {limit_mb}MB")


def check_expiration(expiration_hours: int) -> None:
    if not MIN_EXPIRATION_HOURS <= expiration_hours <= MAX_EXPIRATION_HOURS:
        raise ValueError("Expiration hours must be between 1 and 48")


def object_name(file_name: str) -> str:
    """The file name as it appears in the object key: no path, no odd characters."""
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    safe = _UNSAFE_NAME.sub("_", base).strip("._")[:128]
    return safe or DEFAULT_FILE_NAME


def upload_file(
    user_id: str,
    *,
    file_name: str | None,
    content: bytes,
    declared_type: str | None,
    expiration_hours: int,
) -> UploadFileResponse:
    check_expiration(expiration_hours)
    if len(content) > size_limit_bytes():
        raise too_large(len(content))
    name = file_name or DEFAULT_FILE_NAME
    content_type = sniff_content_type(content, declared_type, name)
    if is_forbidden(content_type):
        raise UnsupportedMediaTypeError(f"Files of type {content_type} cannot be uploaded")
    expires_at = datetime.now(UTC) + timedelta(hours=expiration_hours)
    key = uploads.put_upload(
        expiry_days=math.ceil(expiration_hours / 24),
        user_id=user_id,
        file_id=str(uuid.uuid4()),
        file_name=object_name(name),
        content=content,
        content_type=content_type,
        expires_at=expires_at.isoformat(),
    )
    return UploadFileResponse(
        file_uri=f"s3://{uploads.bucket()}/{key}",
        file_name=name,
        size=len(content),
        content_type=content_type,
        expires_in_hours=expiration_hours,
    )
