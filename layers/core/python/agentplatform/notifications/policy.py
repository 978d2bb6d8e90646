"""How each notification type is delivered: upstream's strategies, delays and subjects.

Upstream routes BACKOFF types to a queue nothing consumes (they are never sent) while
it keeps a 60-minute batch delay for them; here they are batched with that delay, so a
run of failures costs one email per hour, not one per failure. ZERO_BALANCE follows
upstream's current rule (IMMEDIATE). MONTHLY_SUMMARY exists in the enum only, as
upstream: nothing schedules it.
"""

from __future__ import annotations

from datetime import timedelta

from agentplatform.models.notifications import QueueType
from agentplatform.models.user import NotificationType

_STRATEGY: dict[NotificationType, QueueType] = {
    NotificationType.AGENT_RUN: QueueType.BATCH,
    NotificationType.ZERO_BALANCE: QueueType.IMMEDIATE,
    NotificationType.LOW_BALANCE: QueueType.IMMEDIATE,
    NotificationType.BLOCK_EXECUTION_FAILED: QueueType.BACKOFF,
    NotificationType.CONTINUOUS_AGENT_ERROR: QueueType.BACKOFF,
    NotificationType.DAILY_SUMMARY: QueueType.SUMMARY,
    NotificationType.WEEKLY_SUMMARY: QueueType.SUMMARY,
    NotificationType.MONTHLY_SUMMARY: QueueType.SUMMARY,
    NotificationType.REFUND_REQUEST: QueueType.ADMIN,
    NotificationType.REFUND_PROCESSED: QueueType.ADMIN,
    NotificationType.AGENT_APPROVED: QueueType.IMMEDIATE,
    NotificationType.AGENT_REJECTED: QueueType.IMMEDIATE,
}

# How long the oldest event of a batch waits before the batch is mailed (upstream).
_BATCH_DELAY: dict[NotificationType, timedelta] = {
    NotificationType.AGENT_RUN: timedelta(days=1),
    NotificationType.BLOCK_EXECUTION_FAILED: timedelta(minutes=60),
    NotificationType.CONTINUOUS_AGENT_ERROR: timedelta(minutes=60),
}

# Subjects are Jinja templates over the event's ``data`` (single events) or fixed text.
_SUBJECT: dict[NotificationType, str] = {
    NotificationType.AGENT_RUN: "Agent Run Report",
    NotificationType.ZERO_BALANCE: "You're out of credits!",
    NotificationType.LOW_BALANCE: "Low Balance Warning!",
    NotificationType.BLOCK_EXECUTION_FAILED: "Uh oh! Block Execution Failed",
    NotificationType.CONTINUOUS_AGENT_ERROR: "Shoot! Continuous Agent Error",
    NotificationType.DAILY_SUMMARY: "Here's your daily summary!",
    NotificationType.WEEKLY_SUMMARY: "Look at all the cool stuff you did last week!",
    NotificationType.MONTHLY_SUMMARY: "We did a lot this month!",
    NotificationType.REFUND_REQUEST: (
        "[ACTION REQUIRED] You got a ${{ '%.2f' | format(data.amount / 100) }} refund request "
        "from {{ data.user_name }}"
    ),
    NotificationType.REFUND_PROCESSED: (
        "Refund for ${{ '%.2f' | format(data.amount / 100) }} to {{ data.user_name }} has been processed"
    ),
    NotificationType.AGENT_APPROVED: "Your agent '{{ data.agent_name }}' has been approved!",
    NotificationType.AGENT_REJECTED: "Your agent '{{ data.agent_name }}' needs some updates",
}


def strategy(kind: NotificationType) -> QueueType:
    return _STRATEGY.get(kind, QueueType.IMMEDIATE)


def is_batched(kind: NotificationType) -> bool:
    return strategy(kind) in (QueueType.BATCH, QueueType.BACKOFF)


def batch_delay(kind: NotificationType) -> timedelta:
    return _BATCH_DELAY[kind]


def batched_types() -> list[NotificationType]:
    return list(_BATCH_DELAY)


def subject_template(kind: NotificationType) -> str:
    return _SUBJECT[kind]


def template_name(kind: NotificationType) -> str:
    """The body templates' stem: ``templates/<stem>.html.j2`` and ``.txt.j2``."""
    return kind.value.lower()
