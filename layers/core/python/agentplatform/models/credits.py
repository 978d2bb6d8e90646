"""Credit shapes of the public API (spec §1.5 "Credits" and "Admin", §3.8)."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from agentplatform.models.pagination import Pagination

_MIN_TIME = datetime.min.replace(tzinfo=UTC)
_MAX_TIME = datetime.max.replace(tzinfo=UTC)


class CreditTransactionType(enum.StrEnum):
    TOP_UP = "TOP_UP"
    USAGE = "USAGE"
    GRANT = "GRANT"
    REFUND = "REFUND"
    CARD_CHECK = "CARD_CHECK"


class RefundRequestStatus(enum.StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class UsageTransactionMetadata(BaseModel):
    """What a USAGE transaction records about the node execution that paid it."""

    graph_exec_id: str | None = None
    graph_id: str | None = None
    node_id: str | None = None
    node_exec_id: str | None = None
    block_id: str | None = None
    block: str | None = None
    input: dict[str, Any] | None = None
    reason: str | None = None


class AutoTopUpConfig(BaseModel):
    amount: int
    """Amount of credits to top up."""
    threshold: int
    """Threshold to trigger auto top up."""


class RequestTopUp(BaseModel):
    credit_amount: int


class UserTransaction(BaseModel):
    transaction_key: str = ""
    transaction_time: datetime = _MIN_TIME
    transaction_type: CreditTransactionType = CreditTransactionType.USAGE
    amount: int = 0
    running_balance: int = 0
    current_balance: int = 0
    description: str | None = None
    usage_graph_id: str | None = None
    usage_execution_id: str | None = None
    usage_node_count: int = 0
    usage_start_time: datetime = _MAX_TIME
    user_id: str
    user_email: str | None = None
    reason: str | None = None
    admin_email: str | None = None
    extra_data: str | None = None


class TransactionHistory(BaseModel):
    transactions: list[UserTransaction]
    next_transaction_time: datetime | None


class RefundRequest(BaseModel):
    id: str
    user_id: str
    transaction_key: str
    amount: int
    reason: str
    result: str | None = None
    status: str
    created_at: datetime
    updated_at: datetime


class CreditsResponse(BaseModel):
    credits: int


class CheckoutResponse(BaseModel):
    checkout_url: str


class BillingPortalResponse(BaseModel):
    url: str


class AddUserCreditsRequest(BaseModel):
    user_id: str
    amount: int
    comments: str


class AddUserCreditsResponse(BaseModel):
    new_balance: int
    transaction_key: str


class UserHistoryResponse(BaseModel):
    history: list[UserTransaction]
    pagination: Pagination
