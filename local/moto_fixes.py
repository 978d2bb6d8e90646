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


class _TableSnapshots:
    """Stands in for the ``copy`` module inside moto's DynamoDB backend.

    Its transaction rollback deep-copies the whole table, stream records included, on
    every transaction: cost grows with every write ever made. A snapshot here copies
    the items (the only thing a transaction changes) and the list of stream records,
    so a rollback still restores both exactly.
    """

    def __init__(self, real: Any):
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        if type(value) is not Table:
            return self._real.deepcopy(value, memo)
        clone = self._real.copy(value)
        clone.items = self._real.deepcopy(value.items)
        shard = value.stream_shard
        if shard is not None:
            clone.stream_shard = self._real.copy(shard)
            clone.stream_shard.items = list(shard.items)
            clone.stream_shard.table = clone
        return clone


def cheap_transaction_snapshots() -> None:
    import copy

    import moto.dynamodb.models as backend

    if not isinstance(backend.copy, _TableSnapshots):
        backend.copy = _TableSnapshots(copy)  # type: ignore[assignment]
