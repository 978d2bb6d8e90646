"""The ``GET /api/blocks`` catalogue, with an optional build-time prebuilt copy.

Rendering ~130 pydantic JSON schemas costs tens of milliseconds on every cold start,
yet the result only changes when code changes. ``python -m agentplatform.blocks.catalogue``
writes ``catalogue.json`` next to this module, stamped with a fingerprint of the
package sources and the pydantic version. At run time the prebuilt entries are used
only when the fingerprint still matches; otherwise (a stale or missing file) every
entry is rendered live, so a forgotten rebuild costs time, never correctness.
Whether a block is listed (``disabled``) and its costs are always decided live.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from agentplatform.blocks.block import Block

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_FILE = Path(__file__).with_name("catalogue.json")


def fingerprint() -> str:
    """Hash of everything a block's ``to_dict()`` can depend on."""
    import pydantic

    digest = hashlib.sha256(f"pydantic={pydantic.VERSION}".encode())
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def prebuilt_entries() -> dict[str, dict[str, Any]]:
    """The prebuilt ``to_dict()`` of each block by id, or {} when absent or stale."""
    try:
        stored = json.loads(CATALOGUE_FILE.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict) or stored.get("fingerprint") != fingerprint():
        return {}
    entries = stored.get("entries")
    return entries if isinstance(entries, dict) else {}


def catalogue_entries(blocks: dict[str, Block]) -> list[dict[str, Any]]:
    """Every enabled block in the ``GET /api/blocks`` shape."""
    prebuilt = prebuilt_entries()
    entries = []
    for block in blocks.values():
        if block.disabled:
            continue
        entry = prebuilt.get(block.id) or block.to_dict()
        entries.append({**entry, "costs": [cost.as_dict() for cost in block.costs]})
    return entries


def write_catalogue(blocks: dict[str, Block], path: Path = CATALOGUE_FILE) -> Path:
    payload = {
        "fingerprint": fingerprint(),
        "entries": {block.id: block.to_dict() for block in blocks.values()},
    }
    path.write_text(json.dumps(payload, separators=(",", ":")))
    return path


def main(argv: list[str] | None = None) -> None:
    """``python -m agentplatform.blocks.catalogue [--output PATH]`` (for layer builds)."""
    import argparse

    from agentplatform.blocks.registry import get_blocks

    parser = argparse.ArgumentParser(description="Write the prebuilt GET /api/blocks catalogue.")
    parser.add_argument("--output", type=Path, default=CATALOGUE_FILE, help="where to write catalogue.json")
    args = parser.parse_args(argv)
    written = write_catalogue(get_blocks(), args.output)
    print(f"wrote {written} ({written.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
