"""The table's physical shape, shared by the CDK app and the local cloud.

One table: string ``pk``/``sk``; GSIs ``gsi1`` and ``gsi2`` with ``<name>pk``/``<name>sk``
string keys (all attributes projected); the sparse, keys-only ``gsi3`` of runs still
in flight (``ACTIVE_RUNS_INDEX``); TTL on ``ttl``; a stream with new and old images.
"""

from __future__ import annotations

from typing import Any

PARTITION_KEY = "pk"
SORT_KEY = "sk"
GSI_NAMES = ("gsi1", "gsi2")
# Only QUEUED/RUNNING runs carry its keys, so the reconciler reads exactly those, and
# keys only: the index costs a few bytes per run in flight, not a copy of each run.
ACTIVE_RUNS_INDEX = "gsi3"
TTL_ATTRIBUTE = "ttl"
STREAM_VIEW_TYPE = "NEW_AND_OLD_IMAGES"

PROJECTIONS = {**{name: "ALL" for name in GSI_NAMES}, ACTIVE_RUNS_INDEX: "KEYS_ONLY"}


def create_table_kwargs(table_name: str) -> dict[str, Any]:
    """Arguments for ``dynamodb.create_table`` describing exactly this table."""
    attributes = [PARTITION_KEY, SORT_KEY] + [f"{g}{k}" for g in PROJECTIONS for k in ("pk", "sk")]
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
                "Projection": {"ProjectionType": projection},
            }
            for g, projection in PROJECTIONS.items()
        ],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": STREAM_VIEW_TYPE},
    }
