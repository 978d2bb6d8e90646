"""Notification events and the messages on the notifications queue (docs/notifications.md).

The event data shapes are upstream's (``backend/data/notifications.py``), field for
field, so templates and clients written for upstream's payloads read ours. Every event
carries an ``id``: producers derive it from what happened (the run, the node execution,
the refund), so a retried producer sends the same id and the consumer acts once.
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agentplatform.models.user import NotificationType


class QueueType(enum.StrEnum):
    """How a notification type reaches the mailbox (upstream's strategies)."""

    IMMEDIATE = "immediate"  # one email per event
    BATCH = "batch"  # collected per user and type, one email when the oldest is due
    SUMMARY = "summary"  # built on a schedule from the user's runs
    BACKOFF = "backoff"  # errors: batched like BATCH, at most one email per delay
    ADMIN = "admin"  # to the platform's admin mailbox, no user preference applies


class BaseNotificationData(BaseModel):
    model_config = ConfigDict(extra="allow")


class AgentRunData(BaseNotificationData):
    agent_name: str
    credits_used: float
    execution_time: float
    node_count: int = Field(..., description="Number of nodes executed")
    graph_id: str
    outputs: list[dict[str, Any]] = Field(..., description="Outputs of the agent")


class ZeroBalanceData(BaseNotificationData):
    agent_name: str
    current_balance: float = Field(..., description="Current balance in credits (100 = $1)")
    billing_page_link: str
    shortfall: float = Field(..., description="Credits needed to continue")


class LowBalanceData(BaseNotificationData):
    current_balance: float = Field(..., description="Current balance in credits (100 = $1)")
    billing_page_link: str


class BlockExecutionFailedData(BaseNotificationData):
    block_name: str
    block_id: str
    error_message: str
    graph_id: str
    node_id: str
    execution_id: str


class ContinuousAgentErrorData(BaseNotificationData):
    agent_name: str
    error_message: str
    graph_id: str
    execution_id: str
    start_time: datetime
    error_time: datetime
    attempts: int = Field(..., description="Number of retry attempts made")


class BaseSummaryData(BaseNotificationData):
    total_credits_used: float
    total_executions: int
    most_used_agent: str
    total_execution_time: float
    successful_runs: int
    failed_runs: int
    average_execution_time: float
    cost_breakdown: dict[str, float]


class DailySummaryData(BaseSummaryData):
    date: datetime


class WeeklySummaryData(BaseSummaryData):
    start_date: datetime
    end_date: datetime


class MonthlySummaryData(BaseNotificationData):
    month: int
    year: int


class RefundRequestData(BaseNotificationData):
    user_id: str
    user_name: str
    user_email: str
    transaction_id: str
    refund_request_id: str
    reason: str
    amount: float
    balance: int


class AgentApprovalData(BaseNotificationData):
    agent_name: str
    agent_id: str
    agent_version: int
    reviewer_name: str
    reviewer_email: str
    comments: str
    reviewed_at: datetime
    store_url: str


class AgentRejectionData(BaseNotificationData):
    agent_name: str
    agent_id: str
    agent_version: int
    reviewer_name: str
    reviewer_email: str
    comments: str
    reviewed_at: datetime
    resubmit_url: str


DATA_TYPES: dict[NotificationType, type[BaseNotificationData]] = {
    NotificationType.AGENT_RUN: AgentRunData,
    NotificationType.ZERO_BALANCE: ZeroBalanceData,
    NotificationType.LOW_BALANCE: LowBalanceData,
    NotificationType.BLOCK_EXECUTION_FAILED: BlockExecutionFailedData,
    NotificationType.CONTINUOUS_AGENT_ERROR: ContinuousAgentErrorData,
    NotificationType.DAILY_SUMMARY: DailySummaryData,
    NotificationType.WEEKLY_SUMMARY: WeeklySummaryData,
    NotificationType.MONTHLY_SUMMARY: MonthlySummaryData,
    NotificationType.REFUND_REQUEST: RefundRequestData,
    NotificationType.REFUND_PROCESSED: RefundRequestData,
    NotificationType.AGENT_APPROVED: AgentApprovalData,
    NotificationType.AGENT_REJECTED: AgentRejectionData,
}


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class NotificationEvent(BaseModel):
    """One thing a user is told about. ``data`` is validated against its type's shape
    and kept as JSON-ready values (it travels through SQS and the table)."""

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), min_length=1, max_length=300)
    user_id: str = Field(min_length=1)
    type: NotificationType
    data: dict[str, Any]
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @model_validator(mode="after")
    def _check_data(self) -> NotificationEvent:
        self.data = DATA_TYPES[self.type].model_validate(self.data).model_dump(mode="json")
        self.created_at = _utc(self.created_at)
        return self


# -------------------------------------------------------------- queue messages
# Everything the notifications Lambda is asked to do arrives on its queue: events from
# producers, and the scheduled tasks (EventBridge Scheduler sends those to the queue).


class NotifyTask(BaseModel):
    task: Literal["notify"] = "notify"
    event: NotificationEvent


class FlushBatchesTask(BaseModel):
    """Hourly: find the batches whose oldest event is due and queue one flush each."""

    task: Literal["flush_batches"] = "flush_batches"


class FlushBatchTask(BaseModel):
    task: Literal["flush_batch"] = "flush_batch"
    user_id: str
    type: NotificationType


SummaryType = Literal[NotificationType.DAILY_SUMMARY, NotificationType.WEEKLY_SUMMARY]


class QueueSummariesTask(BaseModel):
    """Daily / weekly: queue one summary per user active in the period."""

    task: Literal["queue_summaries"] = "queue_summaries"
    type: SummaryType


class SummaryTask(BaseModel):
    task: Literal["summary"] = "summary"
    user_id: str
    type: SummaryType
    start: datetime
    end: datetime


QueueMessage = Annotated[
    NotifyTask | FlushBatchesTask | FlushBatchTask | QueueSummariesTask | SummaryTask,
    Field(discriminator="task"),
]
