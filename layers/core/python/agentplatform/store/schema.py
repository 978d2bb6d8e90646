"""The table's physical shape, shared by the CDK app and the local cloud.

One table: string ``pk``/``sk``; GSIs ``gsi1``, ``gsi2`` and ``gsi3`` with
``<name>pk``/``<name>sk`` string keys (``gsi1``/``gsi2`` project all attributes, ``gsi3``
keys only: it is written once per run, never on the run's later updates); TTL on ``ttl``;
a stream with new and old images.
"""

from __future__ import annotations

from typing import Any

PARTITION_KEY = "pk"
SORT_KEY = "sk"
GSI_NAMES = ("gsi1", "gsi2", "gsi3")
GSI_PROJECTIONS = {"gsi1": "ALL", "gsi2": "ALL", "gsi3": "KEYS_ONLY"}
TTL_ATTRIBUTE = "ttl"
STREAM_VIEW_TYPE = "NEW_AND_OLD_IMAGES"


def create_table_kwargs(table_name: str) -> dict[str, Any]:
    """Arguments for ``dynamodb.create_table`` describing exactly this table."""
    attributes = [PARTITION_KEY, SORT_KEY] + [f"{g}{k}" for g in GSI_NAMES for k in ("pk", "sk")]
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in attributes],
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": g,
                "KeySchema": [
                    {"AttributeName": f"{g}pk", "KeyType": "HASH"},
                    {"AttributeName": f"{g}sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": GSI_PROJECTIONS[g]},
            }
            for g in GSI_NAMES
        ],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": STREAM_VIEW_TYPE},
    }
