"""What an upload really is: its content type sniffed from its bytes, never the client's word.

``filetype`` recognises binary formats by their magic numbers. Content it does not
recognise is text when it decodes as UTF-8 (then a declared or extension-given text type
is kept: claiming ``text/csv`` for text is harmless), else opaque bytes.
"""

from __future__ import annotations

import mimetypes

SNIFF_BYTES = 8192

# Programs and packages: nothing an agent needs as input, and what malware arrives as.
FORBIDDEN_CONTENT_TYPES = frozenset(
    {
        "application/x-executable",  # ELF
        "application/x-msdownload",  # Windows PE (.exe, .dll)
        "application/vnd.microsoft.portable-executable",
        "application/x-mach-binary",
        "application/x-sharedlib",
        "application/x-deb",
        "application/x-rpm",
        "application/vnd.ms-cab-compressed",
        "application/x-shockwave-flash",
        "application/x-google-chrome-extension",
        "application/wasm",
    }
)

_TEXTUAL = ("text/", "application/json", "application/xml", "application/x-yaml", "application/yaml")


def _is_text(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        # The sample may end inside a multi-byte character.
        try:
            content[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return b"\x00" not in content


def _textual(content_type: str | None) -> str | None:
    if not content_type:
        return None
    base = content_type.split(";")[0].strip().lower()
    return base if base.startswith(_TEXTUAL) else None


def sniff_content_type(content: bytes, declared: str | None, file_name: str) -> str:
    import filetype  # deferred: only uploads need it

    sample = content[:SNIFF_BYTES]
    kind = filetype.guess(sample)
    if kind is not None:
        return str(kind.mime)
    if _is_text(sample):
        guessed = mimetypes.guess_type(file_name)[0]
        return _textual(declared) or _textual(guessed) or "text/plain"
    return "application/octet-stream"


def is_forbidden(content_type: str) -> bool:
    return content_type in FORBIDDEN_CONTENT_TYPES
