"""Publishing one execution event: number it, keep it for replay, post it to subscribers.

Per event, in this order: fit the payload under the message quota, append it to the
run's replay buffer (which assigns ``seq``), then post it to every connection
subscribed to each of its channels, concurrently. Connections that are gone are
forgotten. Other delivery failures raise after every subscriber was tried, so the
stream record is retried; retried events keep their ``seq``, so a client can drop
repeats.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from agentplatform.config import get_settings
from agentplatform.events.build import ExecutionChange
from agentplatform.events.delivery import ConnectionPoster
from agentplatform.events.messages import event_message
from agentplatform.events.truncate import MESSAGE_LIMIT_BYTES, fit_event
from agentplatform.store.connections import ConnectionRepository, Subscriber
from agentplatform.store.event_log import EventLog, LoggedEvent

logger = logging.getLogger(__name__)

_MAX_PARALLEL_POSTS = 10  # boto3's default connection pool size
_SEQ_PLACEHOLDER = 10**12  # sizes are measured with a sequence number this wide


class DeliveryFailed(Exception):
    """Some subscribers could not be reached for a reason other than being gone."""


def _default_poster() -> ConnectionPoster:
    return ConnectionPoster(get_settings().websocket_callback_url)


@dataclass
class Fanout:
    connections: ConnectionRepository = field(default_factory=ConnectionRepository)
    log: EventLog = field(default_factory=EventLog)
    poster: ConnectionPoster = field(default_factory=_default_poster)
    limit_bytes: int = MESSAGE_LIMIT_BYTES

    def publish(self, change: ExecutionChange, stream_position: str) -> LoggedEvent | None:
        longest = max(change.channels, key=len)

        def size_of(data: dict[str, object]) -> int:
            return len(event_message(change.method, longest, data, _SEQ_PLACEHOLDER).encode())

        logged = self.log.append(
            change.user_id,
            change.graph_exec_id,
            stream_position=stream_position,
            method=change.method.value,
            data=fit_event(change.data, size_of, self.limit_bytes),
            retention_seconds=int(get_settings().event_replay_hours * 3600),
        )
        if logged is None:
            return None
        failures = 0
        for channel in change.channels:
            message = event_message(logged.method, channel, logged.data, logged.seq)
            targets = [s for s in self.connections.subscribers(channel) if _wants(s, logged.seq)]
            failures += self.deliver(message, targets, channel)
        if failures:
            raise DeliveryFailed(f"{failures} deliveries of event {logged.seq} failed")
        return logged

    def deliver(self, message: str, targets: list[Subscriber], channel: str | None = None) -> int:
        """Post to every target; returns how many failed for a retryable reason.
        ``channel`` is the subscription to forget with a gone connection, if any."""
        if not targets:
            return 0
        workers = min(_MAX_PARALLEL_POSTS, len(targets))
        if workers == 1:
            outcomes = [self._post(message, targets[0], channel)]
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                outcomes = list(pool.map(lambda s: self._post(message, s, channel), targets))
        return outcomes.count(False)

    def _post(self, message: str, target: Subscriber, channel: str | None) -> bool:
        try:
            if not self.poster.post(target.connection_id, message):
                self.connections.remove(target.connection_id, (channel,) if channel else ())
        except Exception:
            logger.exception("posting to %s failed", target.connection_id)
            return False
        return True


def _wants(subscriber: Subscriber, seq: int) -> bool:
    # A subscription made with replay received everything up to live_from - 1 already.
    return subscriber.live_from is None or seq >= subscriber.live_from
