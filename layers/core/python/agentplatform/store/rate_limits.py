"""Fixed-window request counters shared by every Lambda: one item per subject and window."""

from __future__ import annotations

from agentplatform.store import keys
from agentplatform.store.table import Table, is_condition_failure

# Counters outlive their window a little, then DynamoDB's TTL deletes them.
_KEEP_SECONDS = 3600


class RateLimitRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def take(self, subject: str, window_start: int, limit: int) -> bool:
        """Count one request in the window; False (nothing counted) once ``limit`` is reached.

        One conditional UpdateItem: concurrent requests on any number of Lambdas cannot
        exceed the limit together.
        """
        try:
            self.table.update(
                keys.rate_limit_pk(subject),
                keys.rate_window_sk(window_start),
                "ADD #n :one SET #ttl = if_not_exists(#ttl, :ttl)",
                condition="attribute_not_exists(#n) OR #n < :limit",
                names={"#n": "n", "#ttl": "ttl"},
                values={":one": 1, ":limit": limit, ":ttl": window_start + _KEEP_SECONDS},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True
