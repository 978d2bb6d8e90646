"""Values too large for a table item spill to S3 and load back transparently.

A pin value whose JSON exceeds ``SPILL_BYTES`` is written to the bucket and replaced
by ``{"$spilled": "<object key>"}``; readers call ``load_*`` to get the value back.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from agentplatform.aws import client
from agentplatform.config import get_settings
from agentplatform.store import keys
from agentplatform.store.table import loads

SPILL_BYTES = 300_000
_MARKER = "$spilled"


def _is_ref(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and _MARKER in value


def spill(value: Any, graph_exec_id: str) -> Any:
    """``value`` itself, or a reference to its S3 copy when it is too large."""
    if value is None or isinstance(value, bool | int | float):
        return value
    raw = json.dumps(value, separators=(",", ":"), default=str).encode()
    if len(raw) <= SPILL_BYTES:
        return value
    key = keys.spilled_value_key(graph_exec_id, str(uuid.uuid4()))
    client("s3").put_object(Bucket=get_settings().bucket_name, Key=key, Body=raw)
    return {_MARKER: key}


def load(value: Any) -> Any:
    if not _is_ref(value):
        return value
    body = client("s3").get_object(Bucket=get_settings().bucket_name, Key=value[_MARKER])["Body"].read()
    return loads(body)


def spill_pins(pins: dict[str, Any], graph_exec_id: str) -> dict[str, Any]:
    return {name: spill(value, graph_exec_id) for name, value in pins.items()}


def load_pins(pins: dict[str, Any]) -> dict[str, Any]:
    return {name: load(value) for name, value in pins.items()}


def load_outputs(outputs: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {name: [load(v) for v in values] for name, values in outputs.items()}
