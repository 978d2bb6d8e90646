"""Platform secrets by their AutoGPT setting names (``GOOGLE_CLIENT_SECRET``, ...).

An environment variable of that name wins (the local cloud, tests). Otherwise the value
comes from the Secrets Manager secret named by ``PLATFORM_SECRETS_ARN``, whose
``SecretString`` is one JSON object of such names, so a deployment keeps its OAuth app
secrets out of Lambda environment variables. The secret is read at most once per
``CACHE_SECONDS`` per process (a rotated value is seen within that time), and only by
code paths that need a secret: nothing here runs at import.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

from agentplatform.config import get_settings
from agentplatform.errors import MissingConfigError

CACHE_SECONDS = 300.0

_lock = threading.Lock()
_cache: dict[str, Any] = {"arn": None, "values": {}, "read_at": 0.0}


def _secret_values(arn: str) -> dict[str, str]:
    with _lock:
        fresh = time.monotonic() - _cache["read_at"] < CACHE_SECONDS
        if _cache["arn"] == arn and fresh:
            return dict(_cache["values"])
        from agentplatform.aws import client

        try:
            raw = client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
            parsed = json.loads(raw)
        except Exception as exc:  # the secret's content never goes into the message
            raise MissingConfigError(f"PLATFORM_SECRETS_ARN cannot be read: {type(exc).__name__}") from None
        if not isinstance(parsed, dict):
            raise MissingConfigError("PLATFORM_SECRETS_ARN must hold a JSON object of setting names")
        values = {str(k): str(v) for k, v in parsed.items() if v is not None}
        _cache.update(arn=arn, values=values, read_at=time.monotonic())
        return dict(values)


def platform_secret(name: str) -> str:
    """The value of setting ``name`` ("" when it is set nowhere)."""
    if value := os.environ.get(name, "").strip():
        return value
    arn = get_settings().platform_secrets_arn
    return _secret_values(arn).get(name, "").strip() if arn else ""


def clear_cache() -> None:
    with _lock:
        _cache.update(arn=None, values={}, read_at=0.0)
