"""Each run's replay buffer: its events in sequence order (layout: docs/websocket.md).

``EVLOG#<user>#<run>`` holds ``HEAD`` (the last sequence number and the stream
position it came from; never expires, so numbering never restarts) and one
``SEQ#<n>`` item per event, expiring after ``EVENT_REPLAY_HOURS``. The user id is part
of the key, so a replay request can only address the caller's own runs.

Appending is idempotent per stream record: a retried record finds its stream
position at or behind the head and gets back the event it was given the first time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from agentplatform.aws import client
from agentplatform.store import keys
from agentplatform.store.table import Table, from_attrs, is_condition_failure, pack, to_attrs, unpack

_SOURCE_WIDTH = 40  # stream sequence numbers are decimal strings of up to 40 digits
_RETRY_LOOKBACK = 500
_MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class LoggedEvent:
    seq: int
    method: str
    data: dict[str, Any]


def _source(sequence_number: str) -> str:
    return sequence_number.rjust(_SOURCE_WIDTH, "0")


def _logged(item: dict[str, Any]) -> LoggedEvent:
    return LoggedEvent(seq=int(item["seq"]), method=item["method"], data=unpack(item["body"]))


class EventLog:
    """One per events-Lambda invocation: it remembers the heads it moved, so a batch
    with many events of one run reads each head once. A stale memory is harmless: the
    conditional writes below find the real head."""

    def __init__(self, table: Table | None = None):
        self.table = table or Table()
        self._heads: dict[str, tuple[int, str]] = {}

    def _head(self, pk: str) -> tuple[int, str] | None:
        if pk in self._heads:
            return self._heads[pk]
        item = self.table.get(pk, keys.EVENT_LOG_HEAD_SK, consistent=True)
        return None if item is None else (int(item["seq"]), str(item["source"]))

    def head(self, user_id: str, graph_exec_id: str) -> int:
        item = self.table.get(
            keys.event_log_pk(user_id, graph_exec_id), keys.EVENT_LOG_HEAD_SK, consistent=True
        )
        return int(item["seq"]) if item else 0

    def append(
        self,
        user_id: str,
        graph_exec_id: str,
        *,
        stream_position: str,
        method: str,
        data: dict[str, Any],
        retention_seconds: int,
    ) -> LoggedEvent | None:
        """Give the event the run's next sequence number; None if a retried record's
        event has already left the lookback window.

        Two plain conditional writes, no transaction: the entry claims its number
        (``attribute_not_exists``), then the head moves forward. The head moves before
        anyone is told about the event, which is all a replaying subscription relies on.
        """
        pk, source = keys.event_log_pk(user_id, graph_exec_id), _source(stream_position)
        head = self._head(pk)
        if head is not None and head[1] >= source:
            return self._find(pk, source)
        seq = (head[0] if head else 0) + 1
        for _ in range(_MAX_ATTEMPTS):
            claimed = self._claim(pk, seq, source, method, data, retention_seconds)
            if claimed is None or claimed["source"] == source:
                # Ours, now or from an attempt that stopped before moving the head.
                self._advance_head(pk, seq, source)
                self._heads[pk] = (seq, source)
                return LoggedEvent(seq=seq, method=method, data=data) if claimed is None else _logged(claimed)
            self._advance_head(pk, seq, claimed["source"])  # another writer's: help it along
            seq += 1
        raise RuntimeError(f"event log of {graph_exec_id} kept moving")

    def _claim(
        self, pk: str, seq: int, source: str, method: str, data: dict[str, Any], retention_seconds: int
    ) -> dict[str, Any] | None:
        """Write entry ``seq``; None if written, else the entry already holding the number."""
        item = {
            "pk": pk,
            "sk": keys.event_seq_sk(seq),
            "type": "event_log_entry",
            "seq": seq,
            "source": source,
            "method": method,
            "body": pack(data),
            "ttl": int(time.time()) + retention_seconds,
        }
        try:
            self.table.put(item, condition="attribute_not_exists(pk)")
        except Exception as exc:
            if not is_condition_failure(exc):
                raise
            return self.table.get(pk, keys.event_seq_sk(seq), consistent=True)
        return None

    def _advance_head(self, pk: str, seq: int, source: str) -> None:
        try:
            self.table.update(
                pk,
                keys.EVENT_LOG_HEAD_SK,
                "SET seq = :seq, #source = :source, #type = :type",
                condition="attribute_not_exists(seq) OR seq < :seq",
                names={"#source": "source", "#type": "type"},
                values={":seq": seq, ":source": source, ":type": "event_log_head"},
            )
        except Exception as exc:
            if not is_condition_failure(exc):
                raise

    def _find(self, pk: str, source: str) -> LoggedEvent | None:
        recent = self.table.query(
            pk, prefix=keys.EVENT_SEQ_PREFIX, forward=False, limit=_RETRY_LOOKBACK, consistent=True
        )
        for item in recent:
            if item["source"] == source:
                return _logged(item)
            if item["source"] < source:
                return None
        return None

    def between(self, user_id: str, graph_exec_id: str, after: int, through: int) -> list[LoggedEvent]:
        """Unexpired events with ``after < seq <= through``, in order."""
        if through <= after:
            return []
        kwargs: dict[str, Any] = {
            "TableName": self.table.name,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
            # TTL deletion lags by up to days: expired entries must not replay.
            "FilterExpression": "#ttl > :now",
            "ExpressionAttributeNames": {"#ttl": "ttl"},
            "ExpressionAttributeValues": to_attrs(
                {
                    ":pk": keys.event_log_pk(user_id, graph_exec_id),
                    ":lo": keys.event_seq_sk(after + 1),
                    ":hi": keys.event_seq_sk(through),
                    ":now": int(time.time()),
                }
            ),
            "ConsistentRead": True,
        }
        found: list[LoggedEvent] = []
        db = client("dynamodb")
        while True:
            resp = db.query(**kwargs)
            found.extend(_logged(from_attrs(a)) for a in resp.get("Items", []))
            if "LastEvaluatedKey" not in resp:
                return found
            kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
