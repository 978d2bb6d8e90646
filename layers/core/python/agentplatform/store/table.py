"""A thin typed layer over the DynamoDB client for the platform's single table.

Items go in and out as plain dicts. Bulky documents (graph bodies, node inputs and
outputs) are stored as zlib-compressed JSON in binary attributes: this keeps items
far below the 400 KB limit and avoids DynamoDB's Decimal numbers entirely.

Reads repair text that is not valid Unicode (a lone UTF-16 surrogate, stored before the
API refused them or produced by a block) to U+FFFD, so no stored value can make a
response fail to serialise.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from agentplatform.aws import client
from agentplatform.config import get_settings
from agentplatform.errors import PayloadTooLargeError

_BATCH_GET_MAX = 100
_BATCH_WRITE_MAX = 25


_SURROGATE = re.compile("[\ud800-\udfff]")
# json.dumps writes non-ASCII as escapes; a surrogate one starts with this.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def repaired(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (and keys) replaced by U+FFFD."""
    if isinstance(value, str):
        return value if value.isascii() else _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {repaired(k): repaired(v) for k, v in value.items()}
    if isinstance(value, list):
        return [repaired(v) for v in value]
    return value


def loads(raw: str | bytes) -> Any:
    """``json.loads`` for stored JSON: strings come back valid Unicode."""
    document = json.loads(raw)
    text = raw.encode() if isinstance(raw, str) else raw
    return repaired(document) if _SURROGATE_ESCAPE.search(text) else document


def pack(document: Any) -> bytes:
    return zlib.compress(json.dumps(document, separators=(",", ":")).encode(), 6)


def unpack(blob: Any) -> Any:
    raw = blob.value if hasattr(blob, "value") else blob
    return loads(zlib.decompress(raw))


def _serializer() -> Any:
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer()


def _deserializer() -> Any:
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer()


def to_attrs(item: dict[str, Any]) -> dict[str, Any]:
    ser = _serializer()
    return {k: ser.serialize(v) for k, v in item.items() if v is not None}


def from_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    de = _deserializer()
    item = {k: de.deserialize(v) for k, v in attrs.items()}
    for key, value in item.items():  # numbers come back as Decimal; ints are all we store
        if type(value).__name__ == "Decimal":
            item[key] = int(value) if value == int(value) else float(value)
        elif hasattr(value, "value") and isinstance(value.value, bytes):
            item[key] = value.value
        elif isinstance(value, str | dict | list):
            item[key] = repaired(value)
    return item


def _too_large(exc: Exception) -> bool:
    error = getattr(exc, "response", {}).get("Error", {})
    return error.get("Code") == "ValidationException" and "Item size" in str(error.get("Message", ""))


@contextmanager
def item_size_checked() -> Iterator[None]:
    """DynamoDB's refusal of an item over 400 KB as the 413 it is (nothing was written)."""
    try:
        yield
    except Exception as exc:
        if _too_large(exc):
            raise PayloadTooLargeError(
                "An item would exceed DynamoDB's 400 KB item size limit; nothing was stored"
            ) from exc
        raise


def is_condition_failure(exc: Exception) -> bool:
    code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
    return code in ("ConditionalCheckFailedException", "TransactionCanceledException")


class Table:
    """Operations on the configured table (``TABLE_NAME``)."""

    def __init__(self, name: str | None = None):
        self.name = name or get_settings().table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    def get(
        self, pk: str, sk: str, *, consistent: bool = False, attributes: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        """The item, or only ``attributes`` of it (a cheap read of a large item)."""
        resp = self._db.get_item(
            TableName=self.name,
            Key=to_attrs({"pk": pk, "sk": sk}),
            ConsistentRead=consistent,
            **_projection(attributes),
        )
        return from_attrs(resp["Item"]) if "Item" in resp else None

    def put(self, item: dict[str, Any], *, condition: str | None = None, **expr: Any) -> None:
        kwargs: dict[str, Any] = {"TableName": self.name, "Item": to_attrs(item)}
        if condition:
            kwargs["ConditionExpression"] = condition
        kwargs.update(_expression_args(**expr))
        with item_size_checked():
            self._db.put_item(**kwargs)

    def update(
        self, pk: str, sk: str, update: str, *, condition: str | None = None, **expr: Any
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "Key": to_attrs({"pk": pk, "sk": sk}),
            "UpdateExpression": update,
            "ReturnValues": "ALL_NEW",
        }
        if condition:
            kwargs["ConditionExpression"] = condition
        kwargs.update(_expression_args(**expr))
        with item_size_checked():
            return from_attrs(self._db.update_item(**kwargs).get("Attributes", {}))

    def delete(
        self, pk: str, sk: str, *, condition: str | None = None, returning: bool = False, **expr: Any
    ) -> dict[str, Any] | None:
        """Delete one item; with ``returning``, the deleted item (None if there was none)."""
        kwargs: dict[str, Any] = {"TableName": self.name, "Key": to_attrs({"pk": pk, "sk": sk})}
        if condition:
            kwargs["ConditionExpression"] = condition
        if returning:
            kwargs["ReturnValues"] = "ALL_OLD"
        kwargs.update(_expression_args(**expr))
        old = self._db.delete_item(**kwargs).get("Attributes")
        return from_attrs(old) if old else None

    def query(
        self,
        pk: str,
        *,
        prefix: str | None = None,
        index: str | None = None,
        forward: bool = True,
        limit: int | None = None,
        consistent: bool = False,
        keys_only: bool = False,
        attributes: Sequence[str] = (),
    ) -> Iterator[dict[str, Any]]:
        """Items of one partition, optionally restricted to a sort-key prefix.

        ``keys_only`` fetches just ``pk``/``sk`` (for deletes: no bodies over the wire);
        ``attributes`` fetches just those (fewer attributes to parse per item).
        """
        pk_name, sk_name = ("pk", "sk") if index is None else (f"{index}pk", f"{index}sk")
        condition = "#pk = :pk"
        values: dict[str, Any] = {":pk": pk}
        names = {"#pk": pk_name}
        if prefix is not None:
            condition += " AND begins_with(#sk, :prefix)"
            values[":prefix"] = prefix
            names["#sk"] = sk_name
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_attrs(values),
            "ScanIndexForward": forward,
        }
        if keys_only:
            kwargs["ProjectionExpression"] = "#key_pk, #key_sk"
            names.update({"#key_pk": "pk", "#key_sk": "sk"})
        elif attributes:
            kwargs["ProjectionExpression"] = ", ".join(f"#attr{i}" for i in range(len(attributes)))
            names.update({f"#attr{i}": name for i, name in enumerate(attributes)})
        if index is not None:
            kwargs["IndexName"] = index
        elif consistent:
            kwargs["ConsistentRead"] = True
        remaining = limit
        while True:
            if remaining is not None:
                kwargs["Limit"] = remaining
            resp = self._db.query(**kwargs)
            for attrs in resp.get("Items", []):
                yield from_attrs(attrs)
            if remaining is not None:
                remaining -= len(resp.get("Items", []))
                if remaining <= 0:
                    return
            if "LastEvaluatedKey" not in resp:
                return
            kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]

    def batch_get(
        self, keys: list[tuple[str, str]], *, attributes: tuple[str, ...] = ()
    ) -> list[dict[str, Any]]:
        """The items that exist (any order), or only ``attributes`` of them."""
        items: list[dict[str, Any]] = []
        projection = _projection(attributes)
        for start in range(0, len(keys), _BATCH_GET_MAX):
            pending: dict[str, Any] = {
                self.name: {
                    "Keys": [
                        to_attrs({"pk": pk, "sk": sk}) for pk, sk in keys[start : start + _BATCH_GET_MAX]
                    ],
                    **projection,
                }
            }
            while pending:
                resp = self._db.batch_get_item(RequestItems=pending)
                items.extend(from_attrs(a) for a in resp.get("Responses", {}).get(self.name, []))
                pending = resp.get("UnprocessedKeys") or {}
        return items

    def batch_delete(self, keys: list[tuple[str, str]]) -> None:
        for start in range(0, len(keys), _BATCH_WRITE_MAX):
            pending: dict[str, Any] = {
                self.name: [
                    {"DeleteRequest": {"Key": to_attrs({"pk": pk, "sk": sk})}}
                    for pk, sk in keys[start : start + _BATCH_WRITE_MAX]
                ]
            }
            while pending:
                pending = self._db.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    def transact(self, operations: list[dict[str, Any]]) -> None:
        """Write atomically. Each operation is ``{"Put"|"Update"|...: {...}}`` without
        ``TableName``; use ``put_op``/``update_op``/``check_op`` to build them."""
        for op in operations:
            next(iter(op.values()))["TableName"] = self.name
        with item_size_checked():
            self._db.transact_write_items(TransactItems=operations)


def _projection(attributes: tuple[str, ...]) -> dict[str, Any]:
    if not attributes:
        return {}
    names = {f"#a{i}": name for i, name in enumerate(attributes)}
    return {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}


def _expression_args(
    names: dict[str, str] | None = None, values: dict[str, Any] | None = None
) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if names:
        args["ExpressionAttributeNames"] = names
    if values:
        args["ExpressionAttributeValues"] = to_attrs(values)
    return args


def put_op(item: dict[str, Any], condition: str | None = None, **expr: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"Item": to_attrs(item), **_expression_args(**expr)}
    if condition:
        body["ConditionExpression"] = condition
    return {"Put": body}


def update_op(pk: str, sk: str, update: str, condition: str | None = None, **expr: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Key": to_attrs({"pk": pk, "sk": sk}),
        "UpdateExpression": update,
        **_expression_args(**expr),
    }
    if condition:
        body["ConditionExpression"] = condition
    return {"Update": body}


def delete_op(pk: str, sk: str, condition: str | None = None, **expr: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"Key": to_attrs({"pk": pk, "sk": sk}), **_expression_args(**expr)}
    if condition:
        body["ConditionExpression"] = condition
    return {"Delete": body}


def check_op(pk: str, sk: str, condition: str, **expr: Any) -> dict[str, Any]:
    return {
        "ConditionCheck": {
            "Key": to_attrs({"pk": pk, "sk": sk}),
            "ConditionExpression": condition,
            **_expression_args(**expr),
        }
    }
