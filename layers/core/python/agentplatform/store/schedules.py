"""Graph schedules in the table (layout: docs/data-model.md).

``USER#<id>`` / ``SCHEDULE#<schedule id>``: the schedule (graph version, cron, time
zone, packed inputs and credentials). ``gsi1`` (``SCHEDULES#<user>#<graph>``, sorted by
creation) lists one graph's schedules. Both lists are one Query.
"""

from __future__ import annotations

from typing import Any

from agentplatform.store import keys
from agentplatform.store.table import Table, is_condition_failure

SCHEDULE_TYPE = "schedule"


def schedule_keys(user_id: str, schedule_id: str) -> tuple[str, str]:
    return keys.user_pk(user_id), keys.schedule_sk(schedule_id)


def schedule_item(
    user_id: str, schedule_id: str, graph_id: str, created_at: str, **fields: Any
) -> dict[str, Any]:
    pk, sk = schedule_keys(user_id, schedule_id)
    return {
        "pk": pk,
        "sk": sk,
        "type": SCHEDULE_TYPE,
        "id": schedule_id,
        "user_id": user_id,
        "graph_id": graph_id,
        "created_at": created_at,
        "gsi1pk": keys.graph_schedules_gsi1pk(user_id, graph_id),
        "gsi1sk": keys.execs_gsi_sk(created_at, schedule_id),
        **fields,
    }


class ScheduleRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def put(self, item: dict[str, Any]) -> None:
        self.table.put(item, condition="attribute_not_exists(pk)")

    def get(self, user_id: str, schedule_id: str) -> dict[str, Any] | None:
        return self.table.get(*schedule_keys(user_id, schedule_id), consistent=True)

    def delete(self, user_id: str, schedule_id: str) -> bool:
        """Delete the schedule item; False when there was none."""
        try:
            self.table.delete(*schedule_keys(user_id, schedule_id), condition="attribute_exists(pk)")
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def list_for_user(self, user_id: str) -> list[dict[str, Any]]:
        return list(self.table.query(keys.user_pk(user_id), prefix=keys.SCHEDULE_PREFIX))

    def list_for_graph(self, user_id: str, graph_id: str) -> list[dict[str, Any]]:
        return list(self.table.query(keys.graph_schedules_gsi1pk(user_id, graph_id), index="gsi1"))

    def delete_many(self, items: list[dict[str, Any]]) -> None:
        self.table.batch_delete([(item["pk"], item["sk"]) for item in items])
