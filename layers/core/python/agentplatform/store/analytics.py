"""Raw analytics records in their user's partition, newest last, expiring by TTL."""

from __future__ import annotations

from typing import Any

from agentplatform.store import keys
from agentplatform.store.table import Table, pack, unpack


class AnalyticsStore:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def put_metric(
        self,
        user_id: str,
        record_id: str,
        *,
        name: str,
        value: float,
        data_string: str,
        at: str,
        ttl: int | None,
    ) -> None:
        self.table.put(
            {
                "pk": keys.user_pk(user_id),
                "sk": keys.analytics_metric_sk(at, record_id),
                "type": "analytics_metric",
                "id": record_id,
                "metric_name": name,
                "value": str(value),  # exact, and no Decimal round trip
                "data_string": data_string,
                "created_at": at,
                "ttl": ttl,
            }
        )

    def put_event(
        self,
        user_id: str,
        record_id: str,
        *,
        kind: str,
        data: dict[str, Any],
        data_index: str,
        at: str,
        ttl: int | None,
    ) -> None:
        self.table.put(
            {
                "pk": keys.user_pk(user_id),
                "sk": keys.analytics_event_sk(at, record_id),
                "type": "analytics_event",
                "id": record_id,
                "event_type": kind,
                "data": pack(data),
                "data_index": data_index,
                "created_at": at,
                "ttl": ttl,
            }
        )

    def metrics(self, user_id: str) -> list[dict[str, Any]]:
        items = self.table.query(keys.user_pk(user_id), prefix=keys.ANALYTICS_METRIC_PREFIX)
        return [{**item, "value": float(item["value"])} for item in items]

    def events(self, user_id: str) -> list[dict[str, Any]]:
        items = self.table.query(keys.user_pk(user_id), prefix=keys.ANALYTICS_EVENT_PREFIX)
        return [{**item, "data": unpack(item["data"])} for item in items]
