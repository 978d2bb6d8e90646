"""A user's onboarding state: one item in their partition, written under a revision check.

Every change is read, modify, conditional put (``rev`` must still be what was read), so
two requests completing steps at once cannot lose each other's steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agentplatform.store import keys
from agentplatform.store.executions import now
from agentplatform.store.table import Table, is_condition_failure, pack, unpack


class StaleOnboarding(Exception):
    """The item changed since it was read."""


@dataclass(frozen=True)
class StoredOnboarding:
    doc: dict[str, Any]  # UserOnboarding fields, JSON-ready
    rev: int  # 0: no item yet


class OnboardingStore:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def get(self, user_id: str) -> StoredOnboarding:
        item = self.table.get(keys.user_pk(user_id), keys.ONBOARDING_SK, consistent=True)
        if item is None:
            return StoredOnboarding({}, 0)
        return StoredOnboarding(unpack(item["doc"]), int(item["rev"]))

    def runs_of_graph_at_least(self, user_id: str, graph_id: str, count: int) -> bool:
        """Whether the user has run the graph ``count`` times or more (reads at most ``count``)."""
        runs = self.table.query(
            keys.graph_execs_gsi2pk(user_id, graph_id), index="gsi2", limit=count, keys_only=True
        )
        return sum(1 for _ in runs) >= count

    def save(self, user_id: str, doc: dict[str, Any], read_rev: int) -> None:
        item = {
            "pk": keys.user_pk(user_id),
            "sk": keys.ONBOARDING_SK,
            "type": "onboarding",
            "doc": pack(doc),
            "rev": read_rev + 1,
            "updated_at": now(),
        }
        if read_rev:
            condition, values = "rev = :rev", {":rev": read_rev}
        else:
            condition, values = "attribute_not_exists(pk)", {}
        try:
            self.table.put(item, condition=condition, values=values or None)
        except Exception as exc:
            if is_condition_failure(exc):
                raise StaleOnboarding from None
            raise
