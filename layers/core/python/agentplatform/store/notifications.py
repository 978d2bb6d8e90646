"""What the notifications Lambda remembers (layout: docs/notifications.md).

- **Claims** ``USER#<id> | NOTIFY#<event id>``: an event is handled once. A claim is
  ``pending`` under a lease while a handler works on it and ``done`` after; a handler
  that died leaves a lease that expires, so the queue's redelivery takes over.
- **Batches** of one user and type: a head ``USER#<id> | NOTIFYBATCH#<type>`` (oldest
  event time, a version bumped by every addition, on gsi1 by due time) and one item per
  event ``USER#<id> | NOTIFYBATCH#<type>#<time>#<event id>``. Flushing claims the head
  under a lease, mails the events it read, deletes them, and closes the head only if
  no event arrived meanwhile.
- **Activity** ``NOTIFYACTIVE#<day> | USER#<id>``: who finished a run that day, so the
  summaries query a handful of partitions instead of scanning users.
- A user's runs in a time range, newest first, from gsi1 (for the summaries).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from agentplatform.models.notifications import NotificationEvent
from agentplatform.models.user import NotificationType
from agentplatform.store import keys
from agentplatform.store.table import Table, is_condition_failure

CLAIM_TTL_SECONDS = 30 * 86400  # as upstream's insufficient-funds dedupe window
ACTIVITY_TTL_SECONDS = 9 * 86400  # a week of days, plus margin for the weekly summary


class Claim(enum.Enum):
    NEW = "new"  # this handler owns the event now
    DONE = "done"  # handled before: nothing to do
    BUSY = "busy"  # another handler holds a live lease: try again later


@dataclass(frozen=True)
class BatchHead:
    user_id: str
    kind: NotificationType
    oldest: str
    version: int


def _epoch() -> int:
    return int(time.time())


class NotificationStore:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # ------------------------------------------------------------------ claims

    def claim(self, event: NotificationEvent, lease_seconds: int) -> Claim:
        now = _epoch()
        pk, sk = keys.user_pk(event.user_id), keys.notification_claim_sk(event.id)
        try:
            self.table.put(
                {
                    "pk": pk,
                    "sk": sk,
                    "type": "notification_claim",
                    "state": "pending",
                    "lease_until": now + lease_seconds,
                    "ttl": now + CLAIM_TTL_SECONDS,
                },
                condition="attribute_not_exists(pk) OR (#state = :pending AND lease_until < :now)",
                names={"#state": "state"},
                values={":pending": "pending", ":now": now},
            )
        except Exception as exc:
            if not is_condition_failure(exc):
                raise
            current = self.table.get(pk, sk, consistent=True) or {}
            return Claim.DONE if current.get("state") == "done" else Claim.BUSY
        return Claim.NEW

    def finish(self, event: NotificationEvent) -> None:
        self.table.update(
            keys.user_pk(event.user_id),
            keys.notification_claim_sk(event.id),
            "SET #state = :done REMOVE lease_until",
            names={"#state": "state"},
            values={":done": "done"},
        )

    def release(self, event: NotificationEvent) -> None:
        """Handling failed: the queue's redelivery may claim it again at once."""
        self.table.delete(keys.user_pk(event.user_id), keys.notification_claim_sk(event.id))

    # ----------------------------------------------------------------- batches

    def add_to_batch(self, event: NotificationEvent) -> BatchHead:
        """Add ``event`` to its user's open batch of its type; returns the batch head.

        The head is written first: an event item never exists without a head that
        the hourly flush will find (a head without events is simply closed)."""
        created = event.created_at.isoformat()
        head = self.table.update(
            keys.user_pk(event.user_id),
            keys.notification_batch_sk(event.type.value),
            "SET oldest = if_not_exists(oldest, :t), gsi1pk = :due, "
            "gsi1sk = if_not_exists(gsi1sk, :due_at), user_id = :user, kind = :kind, #type = :item "
            "ADD version :one",
            names={"#type": "type"},
            values={
                ":t": created,
                ":due": keys.due_batches_gsi1pk(event.type.value),
                ":due_at": keys.due_batches_gsi1sk(created, event.user_id),
                ":user": event.user_id,
                ":kind": event.type.value,
                ":item": "notification_batch",
                ":one": 1,
            },
        )
        self.table.put(
            {
                "pk": keys.user_pk(event.user_id),
                "sk": keys.notification_batch_event_sk(event.type.value, created, event.id),
                "type": "notification_batch_event",
                "event": event.model_dump_json(),
            }
        )
        return _head(head)

    def due_batches(self, kind: NotificationType, oldest_before: datetime) -> Iterator[str]:
        """Users whose batch of ``kind`` holds an event older than ``oldest_before``."""
        cutoff = oldest_before.isoformat()
        for item in self.table.query(keys.due_batches_gsi1pk(kind.value), index="gsi1"):
            if item["oldest"] >= cutoff:
                return  # gsi1sk starts with the oldest time: the rest are younger
            yield str(item["user_id"])

    def claim_batch(self, user_id: str, kind: NotificationType, lease_seconds: int) -> BatchHead | None:
        """Take the batch for flushing; None if there is none or another flush holds it."""
        now = _epoch()
        try:
            item = self.table.update(
                keys.user_pk(user_id),
                keys.notification_batch_sk(kind.value),
                "SET flushing_until = :until",
                condition="attribute_exists(pk) AND "
                "(attribute_not_exists(flushing_until) OR flushing_until < :now)",
                values={":until": now + lease_seconds, ":now": now},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return None
            raise
        return _head(item)

    def batch_events(self, user_id: str, kind: NotificationType) -> list[tuple[str, NotificationEvent]]:
        """(sort key, event) of every event in the batch, oldest first."""
        items = self.table.query(
            keys.user_pk(user_id), prefix=keys.notification_batch_events_prefix(kind.value), consistent=True
        )
        return [(item["sk"], NotificationEvent.model_validate_json(item["event"])) for item in items]

    def remove_events(self, user_id: str, sort_keys: list[str]) -> None:
        pk = keys.user_pk(user_id)
        self.table.batch_delete([(pk, sk) for sk in sort_keys])

    def close_batch(self, head: BatchHead) -> None:
        """After a flush: delete the head unless events were added since it was claimed;
        then it stays, due by its oldest remaining event, and unlocked."""
        pk, sk = keys.user_pk(head.user_id), keys.notification_batch_sk(head.kind.value)
        remaining = self.batch_events(head.user_id, head.kind)
        if not remaining:
            try:
                self.table.delete(pk, sk, condition="version = :v", values={":v": head.version})
                return
            except Exception as exc:
                if not is_condition_failure(exc):
                    raise
        oldest = remaining[0][1].created_at.isoformat() if remaining else datetime.now(UTC).isoformat()
        self.table.update(
            pk,
            sk,
            "SET oldest = :oldest, gsi1sk = :due_at REMOVE flushing_until",
            values={":oldest": oldest, ":due_at": keys.due_batches_gsi1sk(oldest, head.user_id)},
        )

    def drop_batch(self, user_id: str, kind: NotificationType) -> None:
        """The user does not want these any more (preference off): forget the batch."""
        events = self.batch_events(user_id, kind)
        self.remove_events(user_id, [sk for sk, _ in events])
        self.table.delete(keys.user_pk(user_id), keys.notification_batch_sk(kind.value))

    # ---------------------------------------------------------------- activity

    def record_activity(self, user_id: str, day: str) -> None:
        self.table.put(
            {
                "pk": keys.active_users_pk(day),
                "sk": keys.active_user_sk(user_id),
                "type": "notification_activity",
                "user_id": user_id,
                "ttl": _epoch() + ACTIVITY_TTL_SECONDS,
            }
        )

    def active_users(self, days: list[str]) -> list[str]:
        users: dict[str, None] = {}
        for day in days:
            for item in self.table.query(keys.active_users_pk(day), attributes=("user_id",)):
                users.setdefault(str(item["user_id"]), None)
        return list(users)

    def runs_between(self, user_id: str, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
        """The user's runs created in [start, end), newest first (one gsi1 query)."""
        low, high = start.isoformat(), end.isoformat()
        for item in self.table.query(keys.user_execs_gsi1pk(user_id), index="gsi1", forward=False):
            created = str(item.get("created_at", ""))
            if created < low:
                return
            if created < high:
                yield item


def _head(item: dict[str, Any]) -> BatchHead:
    return BatchHead(
        user_id=str(item["user_id"]),
        kind=NotificationType(item["kind"]),
        oldest=str(item["oldest"]),
        version=int(item["version"]),
    )
