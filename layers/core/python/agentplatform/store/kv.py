"""Per-user key/value data behind the Persist/Retrieve blocks (in the user's partition)."""

from __future__ import annotations

from typing import Any

from agentplatform.store import keys
from agentplatform.store.executions import now
from agentplatform.store.table import Table, pack, unpack


def put_value(user_id: str, key: str, value: Any, node_exec_id: str, table: Table | None = None) -> Any:
    (table or Table()).put(
        {
            "pk": keys.user_pk(user_id),
            "sk": keys.kv_sk(key),
            "type": "kv",
            "key": key,
            "node_exec_id": node_exec_id,
            "data": pack(value),
            "updated_at": now(),
        }
    )
    return value


def get_value(user_id: str, key: str, table: Table | None = None) -> Any:
    item = (table or Table()).get(keys.user_pk(user_id), keys.kv_sk(key))
    return None if item is None else unpack(item["data"])
