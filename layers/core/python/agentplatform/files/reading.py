"""Reading an uploaded file from a block: the owner only, before it expires, once clean.

A block receives an upload as its ``file_uri`` (``s3://<bucket>/uploads/…``, see
``files/service.py``). ``blocks/media.py`` hands such a value here with the user the
block runs for. Another user's upload reads as missing, never as forbidden. With
``UPLOAD_MALWARE_SCAN=guardduty`` a file is usable only once GuardDuty Malware
Protection for S3 has tagged it ``NO_THREATS_FOUND``; with ``none`` (the local cloud,
and deployments without the scanner) uploads are taken as clean when stored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlparse

from agentplatform.config import get_settings
from agentplatform.store import keys, uploads
from agentplatform.store.uploads import StoredUpload

UPLOAD_SCHEME = "s3"
CLEAN = "NO_THREATS_FOUND"


def is_upload_uri(value: str) -> bool:
    return value.startswith(f"{UPLOAD_SCHEME}://")


def _object_key(uri: str) -> str:
    parsed = urlparse(uri)
    key = parsed.path.lstrip("/")
    if parsed.netloc != uploads.bucket() or keys.upload_owner(key) is None:
        raise ValueError("Only files uploaded to this platform can be read from s3:// URIs")
    return key


def _check_scan(key: str) -> None:
    if get_settings().upload_malware_scan != "guardduty":
        return
    status = uploads.scan_status(key)
    if status is None:
        raise ValueError("The file is still being scanned for malware; try again shortly")
    if status != CLEAN:
        raise ValueError(f"The file cannot be used: malware scan result {status}")


def read_upload(uri: str, user_id: str | None, max_bytes: int) -> StoredUpload:
    missing = ValueError(f"File {uri} not found")
    key = _object_key(uri)
    if not user_id or keys.upload_owner(key) != user_id:
        raise missing
    try:
        _check_scan(key)
    except FileNotFoundError:
        raise missing from None
    stored = uploads.get_upload(key, max_bytes)
    if stored is None or stored.owner != user_id:
        raise missing
    if not stored.expires_at or datetime.fromisoformat(stored.expires_at) <= datetime.now(UTC):
        raise ValueError(f"File {uri} has expired")
    return stored
