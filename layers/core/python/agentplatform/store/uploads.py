"""Uploaded files in the values bucket, under ``uploads/`` (keys: ``store/keys.py``).

An upload is one S3 object. Its metadata holds the owner and the instant it expires; its
tags hold the malware scan verdict GuardDuty writes (``GuardDutyMalwareScanStatus``).
A bucket lifecycle rule per ``uploads/<n>d/`` prefix deletes it after ``n`` days; reads
refuse it from the expiry instant on, so an upload lives exactly as long as asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agentplatform.aws import client
from agentplatform.config import get_settings
from agentplatform.store import keys

SCAN_STATUS_TAG = "GuardDutyMalwareScanStatus"
_OWNER = "owner"
_EXPIRES_AT = "expires-at"


@dataclass(frozen=True)
class StoredUpload:
    key: str
    owner: str
    expires_at: str  # ISO-8601 UTC
    content_type: str
    data: bytes


def _s3() -> Any:
    return client("s3")


def bucket() -> str:
    return get_settings().bucket_name


def put_upload(
    *,
    expiry_days: int,
    user_id: str,
    file_id: str,
    file_name: str,
    content: bytes,
    content_type: str,
    expires_at: str,
) -> str:
    """Store the file; returns its object key."""
    key = keys.upload_object_key(expiry_days, user_id, file_id, file_name)
    _s3().put_object(
        Bucket=bucket(),
        Key=key,
        Body=content,
        ContentType=content_type,
        Metadata={_OWNER: user_id, _EXPIRES_AT: expires_at},
    )
    return key


def scan_status(key: str) -> str | None:
    """GuardDuty's verdict on the object (None while it has not written one);
    ``FileNotFoundError`` if there is no such object."""
    s3 = _s3()
    try:
        tags = s3.get_object_tagging(Bucket=bucket(), Key=key)["TagSet"]
    except s3.exceptions.NoSuchKey:
        raise FileNotFoundError(key) from None
    return next((tag["Value"] for tag in tags if tag["Key"] == SCAN_STATUS_TAG), None)


def get_upload(key: str, max_bytes: int) -> StoredUpload | None:
    """The object, or None if it does not exist (expired and deleted, or never was)."""
    s3 = _s3()
    try:
        obj = s3.get_object(Bucket=bucket(), Key=key)
    except s3.exceptions.NoSuchKey:
        return None
    if int(obj.get("ContentLength") or 0) > max_bytes:
        obj["Body"].close()
        raise ValueError(f"File is larger than {max_bytes} bytes")
    metadata = obj.get("Metadata") or {}
    return StoredUpload(
        key=key,
        owner=metadata.get(_OWNER, ""),
        expires_at=metadata.get(_EXPIRES_AT, ""),
        content_type=obj.get("ContentType") or "application/octet-stream",
        data=obj["Body"].read(),
    )


def list_upload_keys(user_id: str | None = None) -> list[str]:
    """Keys under ``uploads/`` (tests and operators; never on a request path)."""
    paginator = _s3().get_paginator("list_objects_v2")
    found = [
        item["Key"]
        for page in paginator.paginate(Bucket=bucket(), Prefix=keys.UPLOADS_PREFIX)
        for item in page.get("Contents", [])
    ]
    return [key for key in found if user_id is None or keys.upload_owner(key) == user_id]
