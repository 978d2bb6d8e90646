"""Each run's replay buffer: its events in sequence order (layout: docs/websocket.md).

``EVLOG#<user>#<run>`` holds ``HEAD`` (the last sequence number and the stream
position it came from; never expires, so numbering never restarts) and one
``SEQ#<first>`` item per *group*: the events of one run that one stream batch
numbered together (``first``..``last``), each with its stream position, compressed
together and expiring after ``EVENT_REPLAY_HOURS``. An item written before groups
existed holds one event (``method``, ``body``) and reads as a group of one. The user
id is part of the key, so a replay request can only address the caller's own runs.

Appending a batch of one run's events costs two writes however many there are: the
group claims its numbers (``attribute_not_exists`` on ``SEQ#<first>``), then the
head moves forward. Numbers are claimed before the head moves, so whoever pins the
head (a replaying subscription) finds every event up to it in the buffer.

Idempotent per stream record: a record at or behind the head, or found in a group
an earlier attempt wrote but did not finish, gets back the number (and the payload)
it was given the first time.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from agentplatform.aws import client
from agentplatform.store import keys
from agentplatform.store.table import Table, from_attrs, is_condition_failure, pack, to_attrs, unpack

_SOURCE_WIDTH = 40  # stream sequence numbers are decimal strings of up to 40 digits
_RETRY_LOOKBACK = 500  # groups searched for a retried record's event
_MAX_ATTEMPTS = 8
# A group item stays well under DynamoDB's 400 KB (an event is at most 128 KB before
# compression, so a group of one always fits).
_GROUP_MAX_BYTES = 300_000
_REPLAY_PAGE = 10


@dataclass(frozen=True)
class LoggedEvent:
    seq: int
    method: str
    data: dict[str, Any]


@dataclass(frozen=True)
class NewEvent:
    """An event to number: the stream record it stands for, and what it says."""

    stream_position: str
    method: str
    data: dict[str, Any]

    @property
    def source(self) -> str:
        return _source(self.stream_position)


@dataclass(frozen=True)
class _Head:
    seq: int
    source: str


def _source(sequence_number: str) -> str:
    return sequence_number.rjust(_SOURCE_WIDTH, "0")


def _group_events(item: dict[str, Any]) -> list[tuple[str, LoggedEvent]]:
    """(source, event) of every event in a stored group, in sequence order."""
    first = int(item["seq"])
    if "events" not in item:  # a single event, as written before groups
        return [(str(item["source"]), LoggedEvent(first, item["method"], unpack(item["body"])))]
    return [
        (source, LoggedEvent(first + offset, method, data))
        for offset, (source, method, data) in enumerate(unpack(item["events"]))
    ]


def _packed(events: Sequence[NewEvent]) -> bytes:
    return pack([[e.source, e.method, e.data] for e in events])


def _fitting_group(events: Sequence[NewEvent]) -> tuple[int, bytes]:
    """How many of ``events`` (from the start) one group item holds, and their body."""
    count = len(events)
    body = _packed(events)
    while len(body) > _GROUP_MAX_BYTES and count > 1:
        count = (count + 1) // 2
        body = _packed(events[:count])
    return count, body


class EventLog:
    """One per events-Lambda invocation: it remembers the heads it read and moved, so a
    batch reads each head once. A stale memory is harmless: the conditional writes
    below find the real head."""

    def __init__(self, table: Table | None = None):
        self.table = table or Table()
        self._heads: dict[str, _Head | None] = {}

    def load_heads(self, runs: Iterable[tuple[str, str]]) -> None:
        """Read the heads of these runs (user id, run id) at once: one BatchGetItem."""
        wanted = sorted({keys.event_log_pk(u, r) for u, r in runs} - set(self._heads))
        found = {
            item["pk"]: _Head(int(item["seq"]), str(item["source"]))
            for item in self.table.batch_get([(pk, keys.EVENT_LOG_HEAD_SK) for pk in wanted], consistent=True)
        }
        self._heads.update({pk: found.get(pk) for pk in wanted})

    def _read_head(self, pk: str) -> _Head | None:
        item = self.table.get(pk, keys.EVENT_LOG_HEAD_SK, consistent=True)
        return None if item is None else _Head(int(item["seq"]), str(item["source"]))

    def _head(self, pk: str) -> _Head | None:
        if pk not in self._heads:
            self._heads[pk] = self._read_head(pk)
        return self._heads[pk]

    def head(self, user_id: str, graph_exec_id: str) -> int:
        head = self._read_head(keys.event_log_pk(user_id, graph_exec_id))
        return head.seq if head else 0

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
        """One event: ``append_batch`` of one."""
        event = NewEvent(stream_position, method, data)
        return self.append_batch(user_id, graph_exec_id, [event], retention_seconds=retention_seconds)[0]

    def append_batch(
        self, user_id: str, graph_exec_id: str, events: Sequence[NewEvent], *, retention_seconds: int
    ) -> list[LoggedEvent | None]:
        """Number a run's events (in stream order) and keep them for replay; each comes
        back with its number, or None if a retried record's event has already left the
        lookback window."""
        pk = keys.event_log_pk(user_id, graph_exec_id)
        head = self._head(pk)
        done: dict[str, LoggedEvent] = {}
        seen = [e.source for e in events if head is not None and e.source <= head.source]
        if seen:
            done.update(self._find(pk, set(seen)))
        pending = [e for e in events if head is None or e.source > head.source]
        top = self._claim_all(pk, head, pending, done, int(time.time()) + retention_seconds)
        if top is not None and (head is None or top.seq > head.seq):
            self._advance_head(pk, top)
            self._heads[pk] = top
        return [done.get(e.source) for e in events]

    def _claim_all(
        self, pk: str, head: _Head | None, pending: list[NewEvent], done: dict[str, LoggedEvent], expires: int
    ) -> _Head | None:
        """Write ``pending`` as groups after ``head``; returns the last event numbered
        (ours, or another writer's we stepped over)."""
        top, collisions = head, 0
        while pending:
            first = (top.seq if top else 0) + 1
            count, body = _fitting_group(pending)
            group, last = pending[:count], pending[count - 1]
            taken = self._claim(pk, first, count, last.source, body, expires)
            if taken is None:
                done.update({e.source: LoggedEvent(first + i, e.method, e.data) for i, e in enumerate(group)})
                top, pending = _Head(first + count - 1, last.source), pending[count:]
                continue
            collisions += 1
            if collisions > _MAX_ATTEMPTS:
                raise RuntimeError(f"event log {pk} kept moving")
            # Numbers already taken: by an earlier attempt at these records (take its
            # numbers back) or by another writer (go past it, to the real head at least).
            existing = _group_events(taken)
            ours = {source: event for source, event in existing if source in {e.source for e in pending}}
            done.update(ours)
            pending = [e for e in pending if e.source not in ours]
            newest_source, newest = existing[-1]
            top = _Head(newest.seq, newest_source)
            if not ours:
                real = self._read_head(pk)
                if real is not None and real.seq > top.seq:
                    top = real
        return top

    def _claim(
        self, pk: str, first: int, count: int, last_source: str, body: bytes, expires: int
    ) -> dict[str, Any] | None:
        """Write the group at ``first``; None if written, else the group already there."""
        item = {
            "pk": pk,
            "sk": keys.event_seq_sk(first),
            "type": "event_log_entry",
            "seq": first,
            "last": first + count - 1,
            "source": last_source,
            "events": body,
            "ttl": expires,
        }
        try:
            self.table.put(item, condition="attribute_not_exists(pk)")
        except Exception as exc:
            if not is_condition_failure(exc):
                raise
            return self.table.get(pk, keys.event_seq_sk(first), consistent=True)
        return None

    def _advance_head(self, pk: str, top: _Head) -> None:
        try:
            self.table.update(
                pk,
                keys.EVENT_LOG_HEAD_SK,
                "SET seq = :seq, #source = :source, #type = :type",
                condition="attribute_not_exists(seq) OR seq < :seq",
                names={"#source": "source", "#type": "type"},
                values={":seq": top.seq, ":source": top.source, ":type": "event_log_head"},
            )
        except Exception as exc:
            if not is_condition_failure(exc):
                raise

    def _find(self, pk: str, sources: set[str]) -> dict[str, LoggedEvent]:
        """The logged events of these stream positions, searching back from the newest."""
        found: dict[str, LoggedEvent] = {}
        oldest_wanted = min(sources)
        recent = self.table.query(
            pk, prefix=keys.EVENT_SEQ_PREFIX, forward=False, limit=_RETRY_LOOKBACK, consistent=True
        )
        for item in recent:
            events = _group_events(item)
            found.update({source: event for source, event in events if source in sources})
            if len(found) == len(sources) or events[0][0] <= oldest_wanted:
                break
        return found

    def between(self, user_id: str, graph_exec_id: str, after: int, through: int) -> list[LoggedEvent]:
        """Unexpired events with ``after < seq <= through``, in order."""
        if through <= after:
            return []
        now = int(time.time())
        found: list[LoggedEvent] = []
        for item in self._groups_back_from(keys.event_log_pk(user_id, graph_exec_id), through):
            if int(item["ttl"]) > now:  # TTL deletion lags by up to days: expired ones must not replay
                found.extend(e for _, e in reversed(_group_events(item)) if after < e.seq <= through)
            if int(item["seq"]) <= after + 1:
                break
        found.reverse()
        return found

    def _groups_back_from(self, pk: str, through: int) -> Iterator[dict[str, Any]]:
        """Groups starting at or before ``through``, newest first, a page at a time."""
        kwargs: dict[str, Any] = {
            "TableName": self.table.name,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": to_attrs(
                {":pk": pk, ":lo": keys.event_seq_sk(0), ":hi": keys.event_seq_sk(through)}
            ),
            "ScanIndexForward": False,
            "ConsistentRead": True,
            "Limit": _REPLAY_PAGE,
        }
        db = client("dynamodb")
        while True:
            resp = db.query(**kwargs)
            yield from (from_attrs(a) for a in resp.get("Items", []))
            if "LastEvaluatedKey" not in resp:
                return
            kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
