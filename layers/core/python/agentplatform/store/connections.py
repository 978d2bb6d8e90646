"""WebSocket connections and their channel subscriptions (layout: docs/websocket.md).

``WSCONN#<id> | META`` holds the connection's user and the set of channels it is
subscribed to; ``WSCHAN#<channel> | WSCONN#<id>`` is one subscription, so fan-out is
one strongly consistent query per channel. The connection item is also on gsi1 under
its user (``WSUSER#<user>``): notifications go to all of a user's connections. Both
expire with the connection (API Gateway closes every connection after 2 hours), so a
missed ``$disconnect`` leaves nothing behind for long.
"""

from __future__ import annotations

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
                values={":channel": {channel}},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                raise ConnectionGone(connection_id) from None
            raise
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
            self.table.update(
                keys.connection_pk(connection_id),
                keys.CONNECTION_SK,
                "DELETE channels :channel",
                condition="attribute_exists(pk)",
                values={":channel": {channel}},
            )
        except Exception as exc:
            if not is_condition_failure(exc):
                raise

    def subscribers(self, channel: str) -> list[Subscriber]:
        return [
            Subscriber(item["connection_id"], item.get("live_from"))
            for item in self.table.query(keys.channel_pk(channel), consistent=True)
        ]

    def remove(self, connection_id: str, also_channels: tuple[str, ...] = ()) -> None:
        """Forget the connection and every subscription it holds."""
        connection = self.get(connection_id)
        channels = set(also_channels) | set((connection or {}).get("channels") or ())
        doomed = [(keys.channel_pk(c), keys.subscription_sk(connection_id)) for c in sorted(channels)]
        doomed.append((keys.connection_pk(connection_id), keys.CONNECTION_SK))
        self.table.batch_delete(doomed)
