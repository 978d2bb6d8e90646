"""Fixes to moto's DynamoDB that concurrent graph runs need, when the table is in moto
(the unit tests' cloud, and the local cloud's fallback without Java; DynamoDB Local
needs none of this).

moto's DynamoDB is not safe under concurrent requests: ``transact_write_items`` backs
up the *whole table* and, when a condition fails, restores that backup, silently
undoing writes other threads made meanwhile. Step Functions' Map runs Lambdas on
threads, so two nodes routing into the same sink would lose updates. Real DynamoDB
has no such problem; here every DynamoDB request is serialized instead.
"""

from __future__ import annotations

import threading
from typing import Any

# Held around every moto DynamoDB request and stream read, so a stream reader never
# reads a record a failing transaction is about to undo.
DYNAMODB_LOCK = threading.RLock()
_applied = False


def serialize_dynamodb() -> None:
    global _applied
    if _applied:
        return
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.call_action

    def call_action(self: Any) -> Any:
        with DYNAMODB_LOCK:
            return original(self)

    DynamoHandler.call_action = call_action  # type: ignore[method-assign]
    _streams_follow_the_live_table()
    _applied = True


def _streams_follow_the_live_table() -> None:
    """``GetRecords`` under the lock, on the table as it is now, and forgetting used
    iterators: a failed transaction swaps in a copy of the table (an iterator handed out
    before would read the discarded copy's stream), and moto keeps every iterator it
    ever handed out."""
    from moto.core.exceptions import JsonRESTError
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    def get_records(self: Any, iterator_arn: str, limit: int) -> dict[str, Any]:
        with DYNAMODB_LOCK:
            iterator = self.shard_iterators.pop(iterator_arn, None)
            if iterator is None:
                raise JsonRESTError("ExpiredIteratorException", "Iterator expired or unknown")
            iterator.stream_shard = self.dynamodb.get_table(iterator.stream_shard.table.name).stream_shard
            result: dict[str, Any] = iterator.get(limit)
            return result

    DynamoDBStreamsBackend.get_records = get_records  # type: ignore[method-assign]


_touched = threading.local()  # the operations of the transaction in progress, per thread


class _TableSnapshots:
    """Stands in for the ``copy`` module inside moto's DynamoDB backend.

    Its transaction rollback deep-copies the whole table, stream records included, on
    every transaction: cost grows with every write ever made. A snapshot here copies
    only the items the transaction addresses (the only ones it can change) and the list
    of stream records, so a rollback still restores both exactly.
    """

    def __init__(self, real: Any):
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        operations = getattr(_touched, "operations", None)
        if type(value) is not Table or operations is None:
            return self._real.deepcopy(value, memo)
        clone = self._real.copy(value)
        clone.items = self._real.copy(value.items)
        own_buckets: set[Any] = set()
        for key in _keys_of(operations, value.name):
            self._copy_item(clone, value, key, own_buckets)
        shard = value.stream_shard
        if shard is not None:
            clone.stream_shard = self._real.copy(shard)
            clone.stream_shard.items = list(shard.items)
            clone.stream_shard.table = clone
        return clone

    def _copy_item(self, clone: Any, table: Any, key: dict[str, Any], own_buckets: set[Any]) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        hash_value = DynamoType(key[table.hash_key_attr])
        if hash_value not in table.items:
            return
        if table.range_key_attr is None:
            clone.items[hash_value] = self._real.deepcopy(table.items[hash_value])
            return
        if hash_value not in own_buckets:  # its own dict: a rollback drops keys added since
            clone.items[hash_value] = dict(table.items[hash_value])
            own_buckets.add(hash_value)
        bucket = clone.items[hash_value]
        range_value = DynamoType(key[table.range_key_attr])
        if range_value in bucket:
            bucket[range_value] = self._real.deepcopy(table.items[hash_value][range_value])


def _keys_of(operations: list[dict[str, Any]], table_name: str) -> list[dict[str, Any]]:
    keys = []
    for operation in operations:
        body = next(iter(operation.values()))
        if body.get("TableName") == table_name:
            keys.append(body.get("Key") or body.get("Item"))
    return keys


def cheap_transaction_snapshots() -> None:
    import copy

    import moto.dynamodb.models as backend

    if isinstance(backend.copy, _TableSnapshots):
        return
    backend.copy = _TableSnapshots(copy)  # type: ignore[assignment]
    original = backend.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        _touched.operations = transact_items
        try:
            original(self, transact_items)
        finally:
            _touched.operations = None

    backend.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
