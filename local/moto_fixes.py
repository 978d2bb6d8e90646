"""Fixes to moto's emulation that concurrent graph runs need.

moto's DynamoDB is not safe under concurrent requests: ``transact_write_items`` backs
up the *whole table* and, when a condition fails, restores that backup, silently
undoing writes other threads made meanwhile. Step Functions' Map runs Lambdas on
threads, so two nodes routing into the same sink would lose updates. Real DynamoDB
has no such problem; here every DynamoDB request is serialized instead.
"""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.RLock()
_applied = False


def serialize_dynamodb() -> None:
    global _applied
    if _applied:
        return
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.call_action

    def call_action(self: Any) -> Any:
        with _lock:
            return original(self)

    DynamoHandler.call_action = call_action  # type: ignore[method-assign]
    _applied = True
