"""``Idempotency-Key`` records: one item per user and key, claimed with a conditional put."""

from __future__ import annotations

from typing import Any

from agentplatform.store import keys
from agentplatform.store.table import Table, is_condition_failure


class IdempotencyRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def claim(self, user_id: str, key: str, record: dict[str, Any], now: int) -> bool:
        """Store ``record`` unless a live one (``expires_at`` after ``now``) holds the key."""
        item = {"pk": keys.user_pk(user_id), "sk": keys.idempotency_sk(key), "type": "idempotency", **record}
        try:
            self.table.put(
                item, condition="attribute_not_exists(pk) OR expires_at <= :now", values={":now": now}
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def get(self, user_id: str, key: str) -> dict[str, Any] | None:
        return self.table.get(keys.user_pk(user_id), keys.idempotency_sk(key), consistent=True)

    def finish(self, user_id: str, key: str, claim: str) -> None:
        self.table.update(
            keys.user_pk(user_id),
            keys.idempotency_sk(key),
            "SET #state = :done",
            condition="claim = :claim",
            names={"#state": "state"},
            values={":done": "DONE", ":claim": claim},
        )

    def release(self, user_id: str, key: str, claim: str) -> None:
        """Drop a claim whose request failed, so the key can be used again."""
        try:
            self.table.delete(
                keys.user_pk(user_id),
                keys.idempotency_sk(key),
                condition="claim = :claim",
                values={":claim": claim},
            )
        except Exception as exc:
            if not is_condition_failure(exc):
                raise
