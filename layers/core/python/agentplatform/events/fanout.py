"""Publishing execution events: number them, keep them for replay, post them to subscribers.

A stream batch is published at once (``publish_batch``), in this order:

1. fit each payload under the message quota;
2. per run, append its events to the run's replay buffer together, which assigns
   ``seq`` (two writes per run per batch, however many events: ``store/event_log.py``),
   runs concurrently;
3. read which of the batch's channels anybody watches (one BatchGetItem) and query
   the subscribers of those only, once per channel;
4. post every connection its messages in order, connections concurrently.

Step 3 comes after step 2: a replaying subscription pins the head, and every event
numbered after its pin must find it. Connections that are gone are forgotten. Any
other failure (numbering a run's events, a post refused for a retryable reason) marks
the first event concerned: it and everything after it is retried with the stream
batch, keeping their ``seq``, so a client can drop repeats.

``deliver`` posts one message that belongs to no channel (a notification) to given
connections, the same way: concurrently, forgetting the gone ones.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from agentplatform.config import get_settings
from agentplatform.events.build import ExecutionChange
from agentplatform.events.delivery import ConnectionPoster
from agentplatform.events.messages import event_message
from agentplatform.events.truncate import MESSAGE_LIMIT_BYTES, fit_event
from agentplatform.store.connections import ConnectionRepository, Subscriber
from agentplatform.store.event_log import EventLog, LoggedEvent, NewEvent

logger = logging.getLogger(__name__)

_MAX_PARALLEL = 10  # boto3's default connection pool size
_SEQ_PLACEHOLDER = 10**12  # sizes are measured with a sequence number this wide
T = TypeVar("T")
R = TypeVar("R")


def _default_poster() -> ConnectionPoster:
    return ConnectionPoster(get_settings().websocket_callback_url)


@dataclass(frozen=True)
class Published:
    """What ``publish_batch`` did with each change (None: not numbered, see
    ``EventLog.append_batch``), and the index of the first change to retry, if any."""

    logged: list[LoggedEvent | None]
    failed_from: int | None = None


@dataclass(frozen=True)
class _Delivery:
    index: int  # of the change it comes from
    channel: str | None  # None: not a channel's event (a notification)
    message: str


@dataclass
class Fanout:
    connections: ConnectionRepository = field(default_factory=ConnectionRepository)
    log: EventLog = field(default_factory=EventLog)
    poster: ConnectionPoster = field(default_factory=_default_poster)
    limit_bytes: int = MESSAGE_LIMIT_BYTES

    def publish_batch(self, changes: Sequence[tuple[ExecutionChange, str]]) -> Published:
        """Publish a stream batch's events, given in stream order with their records'
        sequence numbers."""
        logged, failed_from = self._number(changes)
        live = [
            (index, changes[index][0], event)
            for index, event in enumerate(logged[:failed_from])
            if event is not None
        ]
        failed = self._post_all(self._outbox(live))
        if failed is not None and (failed_from is None or failed < failed_from):
            failed_from = failed
        return Published(logged, failed_from)

    # -- numbering

    def _number(
        self, changes: Sequence[tuple[ExecutionChange, str]]
    ) -> tuple[list[LoggedEvent | None], int | None]:
        """Each run's events appended to its buffer at once, runs concurrently (they are
        independent, and two writes each in sequence would add up over a batch of many
        runs); a run that fails marks its first event."""
        runs: dict[tuple[str, str], list[int]] = {}
        for index, (change, _) in enumerate(changes):
            runs.setdefault((change.user_id, change.graph_exec_id), []).append(index)
        self.log.load_heads(runs)
        retention = int(get_settings().event_replay_hours * 3600)

        def number_run(run: tuple[tuple[str, str], list[int]]) -> list[LoggedEvent | None] | None:
            (user_id, graph_exec_id), indexes = run
            events = [self._fitted(*changes[i]) for i in indexes]
            try:
                return self.log.append_batch(user_id, graph_exec_id, events, retention_seconds=retention)
            except Exception as exc:
                logger.error("numbering events of %s failed: %s", graph_exec_id, type(exc).__name__)
                return None

        logged: list[LoggedEvent | None] = [None] * len(changes)
        failed_from: int | None = None
        numbered_runs = _concurrently(number_run, list(runs.items()))
        for indexes, numbered in zip(runs.values(), numbered_runs, strict=True):
            if numbered is None:
                failed_from = min(indexes[0], failed_from if failed_from is not None else indexes[0])
                continue
            for index, event in zip(indexes, numbered, strict=True):
                logged[index] = event
        return logged, failed_from

    def _fitted(self, change: ExecutionChange, stream_position: str) -> NewEvent:
        longest = max(change.channels, key=len)

        def size_of(data: dict[str, object]) -> int:
            return len(event_message(change.method, longest, data, _SEQ_PLACEHOLDER).encode())

        data = fit_event(change.data, size_of, self.limit_bytes)
        return NewEvent(stream_position, change.method.value, data)

    # -- delivery

    def _outbox(self, live: list[tuple[int, ExecutionChange, LoggedEvent]]) -> dict[str, list[_Delivery]]:
        """Every connection's messages, in event order; only watched channels are queried."""
        channels = list(dict.fromkeys(channel for _, change, _ in live for channel in change.channels))
        watched = self.connections.watched(channels) if channels else set()
        subscribers = {c: self.connections.subscribers(c) for c in channels if c in watched}
        outbox: dict[str, list[_Delivery]] = {}
        for index, change, event in live:
            for channel in change.channels:
                targets = [s for s in subscribers.get(channel, ()) if _wants(s, event.seq)]
                if not targets:
                    continue
                message = event_message(event.method, channel, event.data, event.seq)
                for target in targets:
                    outbox.setdefault(target.connection_id, []).append(_Delivery(index, channel, message))
        return outbox

    def deliver(self, message: str, targets: list[Subscriber]) -> int:
        """Post one message to every target; returns how many failed for a retryable reason."""
        outcomes = _concurrently(
            lambda target: self._post_in_order(target.connection_id, [_Delivery(0, None, message)]), targets
        )
        return sum(1 for failed in outcomes if failed is not None)

    def _post_all(self, outbox: dict[str, list[_Delivery]]) -> int | None:
        """Post every connection its messages; the index of the first failed one, if any."""
        outcomes = _concurrently(lambda entry: self._post_in_order(*entry), list(outbox.items()))
        failed = [index for index in outcomes if index is not None]
        return min(failed) if failed else None

    def _post_in_order(self, connection_id: str, deliveries: list[_Delivery]) -> int | None:
        for delivery in deliveries:
            try:
                if not self.poster.post(connection_id, delivery.message):
                    self.connections.remove(connection_id, _channels_of(deliveries))
                    return None  # gone: nothing left to send it
            except Exception:
                logger.exception("posting to %s failed", connection_id)
                return delivery.index  # the rest waits for the retry, in order
        return None


def _channels_of(deliveries: list[_Delivery]) -> tuple[str, ...]:
    return tuple(sorted({d.channel for d in deliveries if d.channel is not None}))


def _concurrently(work: Callable[[T], R], items: list[T]) -> list[R]:
    if len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(_MAX_PARALLEL, len(items))) as pool:
        return list(pool.map(work, items))


def _wants(subscriber: Subscriber, seq: int) -> bool:
    # A subscription made with replay received everything up to live_from - 1 already.
    return subscriber.live_from is None or seq >= subscriber.live_from
