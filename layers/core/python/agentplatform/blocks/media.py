"""Files flowing through blocks: ``MediaFileType`` values and the per-execution file area.

A media value is one of
- a ``data:<mime>;base64,<payload>`` URI (what uploads return without a bucket),
- an ``http(s)://`` URL, fetched through the SSRF-safe client,
- a path relative to the execution's temporary directory (what an earlier block stored),
- an upload's ``s3://<bucket>/uploads/...`` URI (``POST /api/files/upload``), readable
  only by blocks running for its owner (``files/reading.py``).

Each graph execution gets its own directory under the system temp dir (``/tmp`` in
Lambda), so one run can never read another run's files.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import mimetypes
import re
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

MAX_MEDIA_BYTES = 100 * 1024 * 1024
_DATA_URI = re.compile(
    r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(;[^,;]*)*?)(?P<b64>;base64)?,(?P<data>.*)$", re.S
)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class MediaFileType(str):
    """A file reference (data URI, URL or execution-relative path); ``format: file`` in schemas."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> Any:
        return core_schema.no_info_after_validator_function(cls, core_schema.str_schema())

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        return {**handler(schema), "format": "file"}


@dataclass(frozen=True)
class MediaContent:
    data: bytes
    mime_type: str
    filename: str


def execution_dir(graph_exec_id: str | None) -> Path:
    """The execution's private directory (created on first use)."""
    safe_id = _SAFE_NAME.sub("_", graph_exec_id or f"adhoc-{uuid.uuid4()}")
    path = Path(tempfile.gettempdir()) / "agentplatform-exec" / safe_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def to_data_uri(content: bytes, mime_type: str) -> str:
    return f"data:{mime_type};base64,{base64.b64encode(content).decode()}"


def _from_data_uri(value: str) -> MediaContent:
    match = _DATA_URI.match(value)
    if not match:
        raise ValueError("Invalid data URI")
    mime = match["mime"] or "text/plain"
    payload = match["data"]
    try:
        data = base64.b64decode(payload, validate=True) if match["b64"] else unquote(payload).encode()
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"Invalid base64 payload in data URI: {exc}") from None
    extension = mimetypes.guess_extension(mime) or ".bin"
    return MediaContent(data, mime, f"{uuid.uuid4().hex}{extension}")


def _resolve_relative(value: str, base: Path) -> Path:
    candidate = (base / value).resolve()
    if not candidate.is_relative_to(base.resolve()):
        raise ValueError(f"File path {value!r} is outside the execution's file area")
    return candidate


async def _from_url(value: str) -> MediaContent:
    from agentplatform.net.safe_http import SafeHttpClient

    async with SafeHttpClient() as client:
        response = await client.request("GET", value, max_body_bytes=MAX_MEDIA_BYTES)
    if response.status_code >= 400:
        raise ValueError(f"Could not fetch {value}: HTTP {response.status_code}")
    mime = response.headers.get("content-type", "").split(";")[0].strip() or "application/octet-stream"
    name = Path(urlparse(value).path).name or uuid.uuid4().hex
    return MediaContent(response.content, mime, _SAFE_NAME.sub("_", name))


def _from_upload(value: str) -> MediaContent:
    from agentplatform.blocks.acting_user import acting_user_id
    from agentplatform.files.reading import read_upload

    stored = read_upload(value, acting_user_id(), MAX_MEDIA_BYTES)
    return MediaContent(stored.data, stored.content_type, Path(stored.key).name)


async def load_media(value: str, graph_exec_id: str | None) -> MediaContent:
    """The bytes behind a media value."""
    if value.startswith("data:"):
        content = _from_data_uri(value)
    elif value.startswith(("http://", "https://")):
        content = await _from_url(value)
    elif value.startswith("s3://"):
        content = await asyncio.to_thread(_from_upload, value)  # the thread sees the acting user
    else:
        path = _resolve_relative(value, execution_dir(graph_exec_id))
        if not path.is_file():
            raise ValueError(f"File {value!r} does not exist in this execution")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        content = MediaContent(path.read_bytes(), mime, path.name)
    if len(content.data) > MAX_MEDIA_BYTES:
        raise ValueError(f"File is larger than {MAX_MEDIA_BYTES} bytes")
    return content


async def store_media_file(value: str, graph_exec_id: str | None, *, return_content: bool = False) -> str:
    """Put the file in the execution's directory; return its relative path, or a data URI."""
    graph_exec_id = graph_exec_id or f"adhoc-{uuid.uuid4()}"
    base = execution_dir(graph_exec_id)
    content = await load_media(value, graph_exec_id)
    if return_content:
        return to_data_uri(content.data, content.mime_type)
    if not (value.startswith(("data:", "http://", "https://", "s3://"))):
        return str(_resolve_relative(value, base).relative_to(base.resolve()))
    target = base / f"{uuid.uuid4().hex[:8]}_{content.filename}"
    target.write_bytes(content.data)
    return target.name


def stored_path(relative: str, graph_exec_id: str | None) -> Path:
    """The absolute path of a value returned by ``store_media_file``."""
    return _resolve_relative(relative, execution_dir(graph_exec_id))
