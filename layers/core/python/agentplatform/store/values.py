"""Values too large for a table item spill to S3 and load back transparently.

A pin value whose JSON exceeds ``SPILL_BYTES`` is written to the bucket and replaced by
``{"$spilled": "<object key>", "$preview": <its head>}``; so are the largest pins of an
item whose pins together pass ``PINS_BUDGET_BYTES``, so no item outgrows DynamoDB's
400 KB. Objects are named by a hash of their content within the run, so a value that
flows through many pins of one run is stored (and read back) once: an object is
written only if it is not there yet (``If-None-Match: *``), never replaced under a
reader.

Readers go through a ``ValueLoader``: a response loads each object once, returns it in
full the first time it appears and as its preview after that (a run detail would
otherwise repeat a 9 MB input six times); listings and events return previews only and
read nothing from S3 (values spilled before previews were stored are read once to cut one).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from agentplatform.aws import client
from agentplatform.config import get_settings
from agentplatform.store import keys
from agentplatform.store.table import loads
from agentplatform.truncation import shrink

SPILL_BYTES = 300_000
# The pins of one item together: what is left of 400 KB after keys and bookkeeping.
PINS_BUDGET_BYTES = 300_000
_MIN_SPILL_BYTES = 1_000  # never worth an S3 object
PREVIEW_CHARS = 1_000
_MARKER = "$spilled"
_PREVIEW = "$preview"
_PUT_ATTEMPTS = 3


def _is_ref(value: Any) -> bool:
    return isinstance(value, dict) and _MARKER in value and set(value) <= {_MARKER, _PREVIEW}


def _encoded(value: Any) -> bytes | None:
    """The stored JSON of ``value``, or None for scalars (never spilled)."""
    if value is None or isinstance(value, bool | int | float):
        return None
    return json.dumps(value, separators=(",", ":"), default=str).encode()


def _store(value: Any, raw: bytes, graph_exec_id: str) -> dict[str, Any]:
    key = keys.spilled_value_key(graph_exec_id, hashlib.sha256(raw).hexdigest())
    _put_once(key, raw)
    return {_MARKER: key, _PREVIEW: shrink(value, PREVIEW_CHARS)}


def _put_once(key: str, raw: bytes) -> None:
    """Write the object unless it is there (its name is its content's hash)."""
    for attempt in range(_PUT_ATTEMPTS):
        try:
            client("s3").put_object(Bucket=get_settings().bucket_name, Key=key, Body=raw, IfNoneMatch="*")
            return
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
            if code == "PreconditionFailed":
                return  # stored already
            # S3 answers ConditionalRequestConflict while another write of the key is under way
            if code != "ConditionalRequestConflict" or attempt == _PUT_ATTEMPTS - 1:
                raise


def spill(value: Any, graph_exec_id: str) -> Any:
    """``value`` itself, or a reference to its S3 copy when it is too large."""
    raw = _encoded(value)
    if raw is None or len(raw) <= SPILL_BYTES:
        return value
    return _store(value, raw, graph_exec_id)


def spill_pins(pins: dict[str, Any], graph_exec_id: str) -> dict[str, Any]:
    """``pins`` with each large value, and the largest ones past the item budget, spilled."""
    encoded = {name: _encoded(value) for name, value in pins.items()}
    sizes = {name: len(raw) if raw is not None else 0 for name, raw in encoded.items()}
    total = sum(sizes.values())
    stored = dict(pins)
    for name in sorted(pins, key=lambda n: sizes[n], reverse=True):
        raw = encoded[name]
        if raw is None or sizes[name] < _MIN_SPILL_BYTES:
            break
        if sizes[name] <= SPILL_BYTES and total <= PINS_BUDGET_BYTES:
            break
        stored[name] = _store(pins[name], raw, graph_exec_id)
        total -= sizes[name]
    return stored


def _fetch(key: str) -> Any:
    body = client("s3").get_object(Bucket=get_settings().bucket_name, Key=key)["Body"].read()
    return loads(body)


class ValueLoader:
    """Spilled values for one response (see the module docstring)."""

    def __init__(self, *, previews_only: bool = False):
        self.previews_only = previews_only
        self._loaded: dict[str, Any] = {}

    def load(self, value: Any) -> Any:
        if not _is_ref(value):
            return value
        key = value[_MARKER]
        if self.previews_only:  # no state: one loader may serve many requests
            return value[_PREVIEW] if _PREVIEW in value else shrink(_fetch(key), PREVIEW_CHARS)
        if key in self._loaded:
            return shrink(self._loaded[key], PREVIEW_CHARS)
        self._loaded[key] = _fetch(key)
        return self._loaded[key]

    def pins(self, pins: dict[str, Any]) -> dict[str, Any]:
        return {name: self.load(value) for name, value in pins.items()}

    def outputs(self, outputs: dict[str, list[Any]]) -> dict[str, list[Any]]:
        return {name: [self.load(v) for v in values] for name, values in outputs.items()}


def load(value: Any) -> Any:
    """``value`` in full (for the engine, which needs every value whole)."""
    return _fetch(value[_MARKER]) if _is_ref(value) else value


def load_pins(pins: dict[str, Any]) -> dict[str, Any]:
    return {name: load(value) for name, value in pins.items()}


def load_outputs(outputs: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {name: [load(v) for v in values] for name, values in outputs.items()}
