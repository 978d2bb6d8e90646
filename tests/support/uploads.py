"""Multipart bodies for ``POST /api/files/upload``, as a browser's form would send them."""

from __future__ import annotations

from typing import Any

from urllib3 import encode_multipart_formdata

# A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
    "9c63f8ffff3f0005fe02fea7d6a4bd0000000049454e44ae426082"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def upload(
    api: Any,
    content: bytes,
    *,
    name: str = "file.bin",
    declared: str = "application/octet-stream",
    **params: Any,
) -> Any:
    body, content_type = encode_multipart_formdata({"file": (name, content, declared)})
    return api.post("/api/files/upload", body=body, headers={"content-type": content_type}, params=params)


def png(width: int, height: int) -> bytes:
    """A valid grayscale PNG of the given size (all black: compresses to a few hundred bytes)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grayscale
    rows = (b"\x00" + b"\x00" * width) * height  # filter byte + pixels, per row
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
