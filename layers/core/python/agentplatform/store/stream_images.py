"""Items from DynamoDB stream records, decoded exactly as ``Table.get`` returns them.

A Lambda stream event carries images in DynamoDB JSON with binary values base64
encoded (the JSON event cannot hold raw bytes), so those are decoded first.
"""

from __future__ import annotations

import base64
from typing import Any

from agentplatform.store.table import from_attrs


def _raw_binary(attr: dict[str, Any]) -> dict[str, Any]:
    kind, value = next(iter(attr.items()))
    if kind == "B" and isinstance(value, str):
        return {"B": base64.b64decode(value)}
    if kind == "BS":
        return {"BS": [base64.b64decode(v) if isinstance(v, str) else v for v in value]}
    if kind == "M":
        return {"M": {k: _raw_binary(v) for k, v in value.items()}}
    if kind == "L":
        return {"L": [_raw_binary(v) for v in value]}
    return attr


def image_item(image: dict[str, Any] | None) -> dict[str, Any] | None:
    """A record's ``NewImage``/``OldImage`` as a plain item, or None when absent."""
    if not image:
        return None
    return from_attrs({name: _raw_binary(attr) for name, attr in image.items()})
