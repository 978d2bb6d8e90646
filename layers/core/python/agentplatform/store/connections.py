"""WebSocket connections and their channel subscriptions (layout: docs/websocket.md).

``WSCONN#<id> | META`` holds the connection's user and the set of channels it is
subscribed to; ``WSCHAN#<channel> | WSCONN#<id>`` is one subscription, so fan-out is
one strongly consistent query per channel. The connection item is also on gsi1 under
its user (``WSUSER#<user>``): notifications go to all of a user's connections. Both
expire with the connection (API Gateway closes every connection after 2 hours), so a
missed ``$disconnect`` leaves nothing behind for long.

``WSCHAN#<channel> | WATCH`` counts the connections subscribed to the channel, so the
fan-out reads the counts of a whole stream batch's channels at once and queries only
channels somebody watches. A count goes up when a channel enters a connection's set,
or when a repeated subscribe finds no subscription item (the first one stopped half
way), always before the subscription item is written; it goes down when the channel
leaves the set (after the item is deleted). So it is never below the subscriptions
that exist; it can only be above (a connection that expired without ``$disconnect``,
a subscribe that stopped half way), which costs a query, not an event. The counter
expires with the longest-lived connection it counts.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from agentplatform.store import keys
from agentplatform.store.table import Table, check_op, is_condition_failure, put_op

_MAX_ATTEMPTS = 8


class ConnectionGone(Exception):
    """The connection is not (or no longer) registered."""


@dataclass(frozen=True)
class Subscriber:
    connection_id: str
    # Events numbered below this were replayed when the subscription was made.
    live_from: int | None = None


@dataclass(frozen=True)
class ReplayFrom:
    """The run log a subscription starts from: its head is read and pinned atomically."""

    user_id: str
    graph_exec_id: str


class ConnectionRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def add(self, connection_id: str, user_id: str, *, connected_at: str, expires_at: int) -> None:
        self.table.put(
            {
                "pk": keys.connection_pk(connection_id),
                "sk": keys.CONNECTION_SK,
                "type": "ws_connection",
                "connection_id": connection_id,
                "user_id": user_id,
                "connected_at": connected_at,
                "ttl": expires_at,
                # A user's connections, for notifications (which have no channel).
                "gsi1pk": keys.user_connections_gsi1pk(user_id),
                "gsi1sk": connection_id,
            }
        )

    def for_user(self, user_id: str) -> list[str]:
        """Ids of the user's open connections (gsi1: eventually consistent)."""
        pk = keys.user_connections_gsi1pk(user_id)
        items = self.table.query(pk, index="gsi1", attributes=("connection_id",))
        return [str(item["connection_id"]) for item in items]

    def get(self, connection_id: str) -> dict[str, Any] | None:
        return self.table.get(keys.connection_pk(connection_id), keys.CONNECTION_SK, consistent=True)

    def subscribe(self, connection_id: str, channel: str, replay: ReplayFrom | None = None) -> int | None:
        """Subscribe; with ``replay``, returns the run log's head at the instant the
        subscription became visible (events after it are delivered live)."""
        try:
            connection = self.table.update(
                keys.connection_pk(connection_id),
                keys.CONNECTION_SK,
                "ADD channels :channel",
                condition="attribute_exists(pk)",
                returning="ALL_OLD",
                values={":channel": {channel}},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                raise ConnectionGone(connection_id) from None
            raise
        if channel not in (connection.get("channels") or ()) or not self._subscribed(connection_id, channel):
            # New to the connection, or an earlier subscribe stopped before its item was
            # written (perhaps before counting): counting twice only costs a query.
            self._count_watcher(channel, int(connection["ttl"]))
        item: dict[str, Any] = {
            "pk": keys.channel_pk(channel),
            "sk": keys.subscription_sk(connection_id),
            "type": "ws_subscription",
            "connection_id": connection_id,
            "channel": channel,
            "ttl": connection["ttl"],
        }
        if replay is None:
            self.table.put(item)
            return None
        for _ in range(_MAX_ATTEMPTS):
            head, pin = self._pin_head(replay)
            try:
                self.table.transact([pin, put_op({**item, "live_from": head + 1})])
            except Exception as exc:
                if is_condition_failure(exc):
                    continue  # an event was sequenced meanwhile: pin the new head
                raise
            return head
        raise RuntimeError(f"could not subscribe {connection_id} to {channel}")

    def _pin_head(self, replay: ReplayFrom) -> tuple[int, dict[str, Any]]:
        pk = keys.event_log_pk(replay.user_id, replay.graph_exec_id)
        head = self.table.get(pk, keys.EVENT_LOG_HEAD_SK, consistent=True)
        if head is None:
            return 0, check_op(pk, keys.EVENT_LOG_HEAD_SK, "attribute_not_exists(pk)")
        seq = int(head["seq"])
        return seq, check_op(pk, keys.EVENT_LOG_HEAD_SK, "seq = :seq", values={":seq": seq})

    def unsubscribe(self, connection_id: str, channel: str) -> None:
        self.table.delete(keys.channel_pk(channel), keys.subscription_sk(connection_id))
        try:
            connection = self.table.update(
                keys.connection_pk(connection_id),
                keys.CONNECTION_SK,
                "DELETE channels :channel",
                condition="attribute_exists(pk)",
                returning="ALL_OLD",
                values={":channel": {channel}},
            )
        except Exception as exc:
            if not is_condition_failure(exc):
                raise
            return
        self._uncount_watchers(connection, {channel})

    def _subscribed(self, connection_id: str, channel: str) -> bool:
        sk = keys.subscription_sk(connection_id)
        return self.table.get(keys.channel_pk(channel), sk, consistent=True) is not None

    def subscribers(self, channel: str) -> list[Subscriber]:
        return [
            Subscriber(item["connection_id"], item.get("live_from"))
            for item in self.table.query(
                keys.channel_pk(channel), prefix=keys.SUBSCRIPTION_PREFIX, consistent=True
            )
        ]

    def watched(self, channels: Iterable[str]) -> set[str]:
        """Which of these channels somebody is subscribed to: one BatchGetItem (per 100)."""
        now = time.time()
        counters = self.table.batch_get(
            [(keys.channel_pk(c), keys.CHANNEL_WATCH_SK) for c in sorted(set(channels))], consistent=True
        )
        return {
            item["pk"][len(keys.channel_pk("")) :]
            for item in counters
            if int(item.get("watchers", 0)) > 0 and int(item.get("ttl", 0)) > now
        }

    def remove(self, connection_id: str, also_channels: tuple[str, ...] = ()) -> None:
        """Forget the connection and every subscription it holds."""
        connection = self.get(connection_id)
        counted = set((connection or {}).get("channels") or ())
        channels = sorted(counted | set(also_channels))
        doomed = [(keys.channel_pk(c), keys.subscription_sk(connection_id)) for c in channels]
        doomed.append((keys.connection_pk(connection_id), keys.CONNECTION_SK))
        self.table.batch_delete(doomed)
        if connection is not None:
            self._uncount_watchers(connection, counted)

    # -- watcher counts

    def _count_watcher(self, channel: str, expires_at: int) -> None:
        """One more watcher; the counter lives at least as long as this connection."""
        pk = keys.channel_pk(channel)
        try:
            self.table.update(
                pk,
                keys.CHANNEL_WATCH_SK,
                "ADD watchers :one SET #ttl = :ttl, #type = :type",
                condition="attribute_not_exists(#ttl) OR #ttl < :ttl",
                names={"#ttl": "ttl", "#type": "type"},
                values={":one": 1, ":ttl": expires_at, ":type": "ws_channel_watch"},
            )
        except Exception as exc:
            if not is_condition_failure(exc):
                raise
            # It already outlives this connection.
            self.table.update(pk, keys.CHANNEL_WATCH_SK, "ADD watchers :one", values={":one": 1})

    def _uncount_watchers(self, connection: dict[str, Any], channels: set[str]) -> None:
        """One watcher fewer on each channel the (live) connection had counted on.

        An expired connection's counters may have expired since, and counting down a
        newer one would hide its watchers: those are left to expire."""
        if int(connection.get("ttl", 0)) <= time.time():
            return
        for channel in sorted(channels & set(connection.get("channels") or ())):
            try:
                self.table.update(
                    keys.channel_pk(channel),
                    keys.CHANNEL_WATCH_SK,
                    "ADD watchers :minus_one",
                    condition="watchers > :zero",
                    values={":minus_one": -1, ":zero": 0},
                )
            except Exception as exc:
                if not is_condition_failure(exc):
                    raise
