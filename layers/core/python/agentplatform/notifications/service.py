"""The notifications Lambda's work: one queue message at a time (docs/notifications.md).

For an event: claim it (once per id), remember the user was active (AGENT_RUN), then,
unless the user turned the type off, push the WebSocket ``notification`` message and
either mail it now or add it to the user's batch of that type (mailed when its oldest
event is due: on arrival, or by the hourly flush). Admin types (refunds) go to
``REFUND_NOTIFICATION_EMAIL`` whatever the preferences. Mail goes only to a verified,
unsuppressed address, with a one-click unsubscribe link; without
``UNSUBSCRIBE_SECRET_KEY`` nothing is mailed (logged). Email's daily limit is stored
but not enforced, as upstream.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parseaddr
from functools import cache, cached_property
from typing import Any

from pydantic import TypeAdapter

from agentplatform.config import get_settings
from agentplatform.errors import MissingConfigError, NotFoundError
from agentplatform.models.notifications import (
    FlushBatchesTask,
    FlushBatchTask,
    NotificationEvent,
    NotifyTask,
    QueueMessage,
    QueueSummariesTask,
    QueueType,
    SummaryTask,
)
from agentplatform.models.user import NotificationType, User
from agentplatform.notifications import policy, queue
from agentplatform.notifications.push import push
from agentplatform.notifications.transports import Transport, transport_for
from agentplatform.store.email import SuppressionList
from agentplatform.store.notifications import BatchHead, Claim, NotificationStore
from agentplatform.store.users import UserRepository, preferences_of

logger = logging.getLogger(__name__)

# How long a handler owns an event or a batch; the queue's visibility timeout is longer,
# so a redelivered message finds a dead handler's lease expired.
LEASE_SECONDS = 120
MAX_EVENTS_PER_EMAIL = 100  # as upstream: a large batch is mailed in chunks


class EventBusy(Exception):
    """Another handler holds the event right now: let the queue deliver it again later."""


@cache
def _messages() -> TypeAdapter[QueueMessage]:
    return TypeAdapter(QueueMessage)


def parse_message(body: str) -> QueueMessage | dict[str, Any]:
    """A queue message: one of ours, or an SES feedback event (EventBridge envelope)."""
    raw = json.loads(body)
    if isinstance(raw, dict) and raw.get("source") == "aws.ses":
        return raw
    return _messages().validate_python(raw)


class NotificationService:
    def __init__(
        self,
        store: NotificationStore | None = None,
        users: UserRepository | None = None,
        suppressions: SuppressionList | None = None,
        transport: Transport | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.store = store or NotificationStore()
        self.users = users or UserRepository()
        self.suppressions = suppressions or SuppressionList()
        self._transport = transport
        self.clock = clock

    @cached_property
    def transport(self) -> Transport:
        return self._transport or transport_for()

    def handle(self, message: QueueMessage | dict[str, Any]) -> None:
        if isinstance(message, dict):  # SES bounce or complaint
            from agentplatform.email.service import EmailService

            EmailService(users=self.users, suppressions=self.suppressions).handle_ses_event(
                message.get("detail") or {}
            )
        elif isinstance(message, NotifyTask):
            self.notify(message.event)
        elif isinstance(message, FlushBatchesTask):
            self.queue_due_flushes()
        elif isinstance(message, FlushBatchTask):
            self.flush_batch(message.user_id, message.type)
        elif isinstance(message, QueueSummariesTask):
            from agentplatform.notifications.summaries import summary_tasks

            queue.send_all(summary_tasks(self.store, message.type, self.clock()))
        elif isinstance(message, SummaryTask):
            from agentplatform.notifications.summaries import summary_event

            event = summary_event(self.store, message)
            if event is not None:
                self.notify(event)

    # ------------------------------------------------------------------ events

    def notify(self, event: NotificationEvent) -> None:
        claim = self.store.claim(event, LEASE_SECONDS)
        if claim is Claim.DONE:
            return
        if claim is Claim.BUSY:
            raise EventBusy(event.id)
        try:
            self._deliver(event)
        except Exception:
            self.store.release(event)
            raise
        self.store.finish(event)

    def _deliver(self, event: NotificationEvent) -> None:
        if event.type == NotificationType.AGENT_RUN:
            self.store.record_activity(event.user_id, event.created_at.astimezone(UTC).date().isoformat())
        if policy.strategy(event.type) is QueueType.ADMIN:
            self._mail_admin(event)
            return
        user = self._user(event.user_id)
        if not self._wants(user, event.type):
            return
        push(event)
        if not policy.is_batched(event.type):
            self._mail(user, event.type, [event])
            return
        head = self.store.add_to_batch(event)
        if self._is_due(head):
            self.flush_batch(event.user_id, event.type)

    # ----------------------------------------------------------------- batches

    def _is_due(self, head: BatchHead) -> bool:
        return datetime.fromisoformat(head.oldest) + policy.batch_delay(head.kind) <= self.clock()

    def queue_due_flushes(self) -> int:
        """The hourly task: one flush message per batch whose oldest event is due."""
        tasks = [
            FlushBatchTask(user_id=user_id, type=kind)
            for kind in policy.batched_types()
            for user_id in self.store.due_batches(kind, self.clock() - policy.batch_delay(kind))
        ]
        queue.send_all(tasks)
        return len(tasks)

    def flush_batch(self, user_id: str, kind: NotificationType) -> None:
        head = self.store.claim_batch(user_id, kind, LEASE_SECONDS)
        if head is None:
            return  # flushed already, or being flushed
        if not self._is_due(head):
            self.store.close_batch(head)  # a stale flush request: leave the batch be
            return
        user = self._user(user_id)
        if not self._wants(user, kind):
            self.store.drop_batch(user_id, kind)  # as upstream: turned off, forgotten
            return
        events = self.store.batch_events(user_id, kind)
        for start in range(0, len(events), MAX_EVENTS_PER_EMAIL):
            chunk = events[start : start + MAX_EVENTS_PER_EMAIL]
            self._mail(user, kind, [event for _, event in chunk])
            self.store.remove_events(user_id, [sort_key for sort_key, _ in chunk])
        self.store.close_batch(head)

    # -------------------------------------------------------------------- mail

    def _user(self, user_id: str) -> User | None:
        try:
            return self.users.get(user_id)
        except NotFoundError:
            return None

    @staticmethod
    def _wants(user: User | None, kind: NotificationType) -> bool:
        """Preferences default to on (a user without a record has the defaults)."""
        return user is None or preferences_of(user).preferences.get(kind, True)

    def _mail(self, user: User | None, kind: NotificationType, events: list[NotificationEvent]) -> None:
        if user is None or not _is_address(user.email):
            logger.info("%s for user %s: no usable email address", kind, user.id if user else "?")
            return
        if not user.email_verified or self.suppressions.is_suppressed(user.email):
            logger.info("%s for user %s: address unverified or suppressed", kind, user.id)
            return
        from agentplatform.email.tokens import unsubscribe_url

        try:
            link = unsubscribe_url(user.id)
        except MissingConfigError as exc:  # no unsubscribe link, no email
            logger.error("%s for user %s not mailed: %s", kind, user.id, exc)
            return
        self._send(kind, events, recipient=user.email, unsubscribe_link=link)

    def _mail_admin(self, event: NotificationEvent) -> None:
        recipient = get_settings().refund_notification_email
        if not _is_address(recipient) or self.suppressions.is_suppressed(recipient):
            logger.warning("%s %s: REFUND_NOTIFICATION_EMAIL unset or suppressed", event.type, event.id)
            return
        self._send(event.type, [event], recipient=recipient, unsubscribe_link=None)

    def _send(
        self,
        kind: NotificationType,
        events: list[NotificationEvent],
        *,
        recipient: str,
        unsubscribe_link: str | None,
    ) -> None:
        from agentplatform.notifications.mail import compose, render

        rendered = render(kind, events, unsubscribe_url=unsubscribe_link)
        message = compose(rendered, recipient=recipient, unsubscribe_url=unsubscribe_link)
        sent = self.transport.send(message)
        logger.info("%s mailed (%d event(s)): %s", kind, len(events), sent)


def _is_address(value: str) -> bool:
    """One plain address (no display name, no header tricks)."""
    _, address = parseaddr(value or "")
    return (
        bool(address)
        and address == value.strip()
        and "@" in address
        and not any(c.isspace() for c in address)
    )
