"""moto's S3, with every object kept on disk too (see ADR 0004).

``persist_objects(root)`` makes moto write each object to ``root/<bucket>/<key>``
(atomically, fsynced) before ``PutObject`` answers, and read an object it does not hold
in memory (one written before a restart) back from there on first access. Only the
platform's own calls matter here: put, get/head and delete of single objects.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

_root: Path | None = None
_patched = False


def object_path(root: Path, bucket: str, key: str) -> Path:
    # One flat file per key: quoting makes any key ("a/../b", "a" beside "a/b") a safe name;
    # a key too long for a file name goes by its digest.
    name = quote(key, safe="")
    if len(name) > 200:
        name = "sha256-" + hashlib.sha256(key.encode()).hexdigest()
    return root / quote(bucket, safe="") / name


def _write_durably(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)


def persist_objects(root: Path | None) -> None:
    """Keep objects under ``root`` from now on (``None``: memory only, moto's default)."""
    global _root
    _root = root
    _patch()


def _patch() -> None:
    global _patched
    if _patched:
        return
    from moto.s3.models import S3Backend

    put_object, get_object, delete_object = (
        S3Backend.put_object,
        S3Backend.get_object,
        S3Backend.delete_object,
    )

    def put(self: Any, bucket_name: str, key_name: str, value: bytes, *args: Any, **kwargs: Any) -> Any:
        if _root is not None:
            _write_durably(object_path(_root, bucket_name, key_name), bytes(value))
        return put_object(self, bucket_name, key_name, value, *args, **kwargs)

    def get(self: Any, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
        found = get_object(self, bucket_name, key_name, *args, **kwargs)
        if found is not None or _root is None:
            return found
        path = object_path(_root, bucket_name, key_name)
        if not path.is_file():
            return None
        put_object(self, bucket_name, key_name, path.read_bytes())  # back into memory, once
        return get_object(self, bucket_name, key_name, *args, **kwargs)

    def delete(self: Any, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
        result = delete_object(self, bucket_name, key_name, *args, **kwargs)
        if _root is not None:
            object_path(_root, bucket_name, key_name).unlink(missing_ok=True)
        return result

    S3Backend.put_object = put  # type: ignore[method-assign]
    S3Backend.get_object = get  # type: ignore[method-assign]
    S3Backend.delete_object = delete  # type: ignore[method-assign]
    _patched = True
