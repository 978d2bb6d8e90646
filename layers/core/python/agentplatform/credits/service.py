"""Credit rules behind the credits routes: balance, monthly refill, history, auto top-up,
admin grants (spec §1.5, §3.8). Stripe flows live in ``credits/payments.py``.

The credit model follows upstream's settings: ``ENABLE_CREDIT=false`` reports a
balance of 100 and spends nothing; otherwise the ledger is real, and with
``ENABLE_BETA_MONTHLY_CREDIT`` (default) the first balance read of a UTC month refills it
up to ``NUM_USER_CREDITS_REFILL``, once per month (the grant is keyed by the month).
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from agentplatform.config import get_settings
from agentplatform.errors import InsufficientBalanceError
from agentplatform.models.credits import (
    AddUserCreditsResponse,
    AutoTopUpConfig,
    CreditTransactionType,
    RefundRequest,
    TransactionHistory,
    UserHistoryResponse,
    UserTransaction,
)
from agentplatform.models.pagination import Pagination
from agentplatform.store.credits import (
    CreditStore,
    DuplicateTransaction,
    Entry,
    Snapshot,
    StaleBalance,
    StoredEntry,
    TransactionConflict,
    iso,
)

DISABLED_BALANCE = 100
_ATTEMPTS = 20


def this_month() -> str:
    """The refill period: a UTC calendar month."""
    return datetime.now(UTC).strftime("%Y-%m")


def credits_enabled() -> bool:
    return get_settings().enable_credit


def dollars(cents: int) -> str:
    return f"${cents / 100}"


class CreditService:
    def __init__(self, store: CreditStore | None = None):
        self.store = store or CreditStore()

    # -- balance

    def get_credits(self, user_id: str) -> int:
        if not credits_enabled():
            return DISABLED_BALANCE
        return self.current(user_id).balance

    def current(self, user_id: str) -> Snapshot:
        """The balance item, refilled first when the monthly refill is due."""
        snapshot = self.store.snapshot(user_id)
        if get_settings().enable_beta_monthly_credit:
            snapshot = self._refill(user_id, snapshot)
        return snapshot

    def _refill(self, user_id: str, snapshot: Snapshot) -> Snapshot:
        month = this_month()
        level = get_settings().num_user_credits_refill
        granted = False  # the month's grant exists (its key is taken): only mark the month
        for _ in range(_ATTEMPTS):
            if snapshot.refill_month == month:
                return snapshot
            amount = 0 if granted else max(level - snapshot.balance, 0)
            grant = Entry(
                f"MONTHLY-CREDIT-TOP-UP-{month}",
                CreditTransactionType.GRANT,
                amount,
                {"reason": "Monthly credit refill"},
            )
            try:
                return self.store.write(
                    user_id, snapshot, [grant] if amount else [], sets={"refill_month": month}
                )
            except StaleBalance as stale:
                snapshot = stale.current
            except DuplicateTransaction:
                granted = True
            except TransactionConflict:
                snapshot = self.store.snapshot(user_id)
        raise RuntimeError("monthly refill kept conflicting")

    def add_transaction(
        self,
        user_id: str,
        amount: int,
        transaction_type: CreditTransactionType,
        *,
        key: str | None = None,
        metadata: dict[str, Any] | None = None,
        is_active: bool = True,
        ceiling_balance: int | None = None,
        fail_insufficient_credits: bool = True,
    ) -> tuple[int, str]:
        """One ledger entry with the balance, as upstream's ``_add_transaction``: refused
        below zero (or clamped to what is left), refused for a top-up above the ceiling.
        Returns (new balance, transaction key); ``DuplicateTransaction`` if the key exists."""
        key = key or str(uuid.uuid4())
        snapshot = self.store.snapshot(user_id)
        for _ in range(_ATTEMPTS):
            balance = snapshot.balance
            if ceiling_balance and amount > 0 and balance >= ceiling_balance:
                raise ValueError(
                    f"You already have enough balance of {dollars(balance)}, top-up is not required "
                    f"when you already have at least {dollars(ceiling_balance)}"
                )
            applied = amount
            if amount < 0 and balance + amount < 0:
                if fail_insufficient_credits:
                    raise InsufficientBalanceError.for_charge(user_id, balance, abs(amount))
                applied = min(-balance, 0)
            entry = Entry(key, transaction_type, applied, metadata or {}, is_active=is_active)
            try:
                new = self.store.write(user_id, snapshot, [entry])
            except StaleBalance as stale:
                snapshot = stale.current
                continue
            except TransactionConflict:
                snapshot = self.store.snapshot(user_id)
                continue
            return new.balance, key
        raise RuntimeError("the balance kept changing")

    def enable(self, user_id: str, pending: StoredEntry, new_key: str, metadata: dict[str, Any]) -> None:
        """A pending top-up's payment went through: it counts from now on, under ``new_key``.
        Doing it twice is a no-op."""
        snapshot = self.store.snapshot(user_id)
        for _ in range(_ATTEMPTS):
            try:
                self.store.enable(user_id, snapshot, pending, new_key, metadata)
                return
            except DuplicateTransaction:
                return
            except StaleBalance as stale:
                snapshot = stale.current
            except TransactionConflict:
                snapshot = self.store.snapshot(user_id)
        raise RuntimeError("the balance kept changing")

    # -- history

    def history(
        self,
        user_id: str,
        *,
        limit: int = 100,
        ceiling: datetime | None = None,
        transaction_type: str | None = None,
    ) -> TransactionHistory:
        """Newest first; usage grouped per run as upstream (one row per graph execution)."""
        if limit < 1 or limit > 1000:
            raise ValueError("Transaction count limit must be between 1 and 1000")
        kind = _transaction_type(transaction_type)
        if not credits_enabled():
            return TransactionHistory(transactions=[], next_transaction_time=None)
        entries = self.store.history(
            user_id, before=iso(ceiling) if ceiling else None, limit=limit, transaction_type=kind
        )
        grouped: dict[str, UserTransaction] = defaultdict(lambda: UserTransaction(user_id=user_id))
        for entry in entries:
            time = entry.time
            graph_exec_id = entry.metadata.get("graph_exec_id")
            if entry.type == CreditTransactionType.USAGE and graph_exec_id:
                row = grouped[graph_exec_id]
                graph_id = entry.metadata.get("graph_id")
                row.description = f"Graph #{graph_id[:8] if graph_id else 'UNKNOWN'} Execution"
                row.usage_node_count += 1
                row.usage_start_time = min(row.usage_start_time, time)
                row.usage_execution_id = graph_exec_id
                row.usage_graph_id = graph_id
            else:
                row = grouped[entry.key]
                row.description = f"{entry.type.value} Transaction"
                row.transaction_key = entry.key
            row.amount += entry.amount
            row.transaction_type = entry.type
            if time > row.transaction_time:
                row.transaction_time = time
                row.running_balance = entry.running_balance or 0
        return TransactionHistory(
            transactions=list(grouped.values()),
            next_transaction_time=entries[-1].time if entries and len(entries) == limit else None,
        )

    def refund_requests(self, user_id: str) -> list[RefundRequest]:
        if not credits_enabled():
            return []
        requests = [RefundRequest.model_validate(item) for item in self.store.refund_requests(user_id)]
        return sorted(requests, key=lambda r: r.created_at, reverse=True)

    # -- auto top-up settings

    def get_auto_top_up(self, user_id: str) -> AutoTopUpConfig:
        return self.store.snapshot(user_id).top_up or AutoTopUpConfig(threshold=0, amount=0)

    def set_auto_top_up(self, user_id: str, config: AutoTopUpConfig) -> None:
        self.store.set_fields(user_id, top_up=config.model_dump())

    # -- admin

    def admin_add_credits(
        self, admin_id: str, user_id: str, amount: int, comments: str
    ) -> AddUserCreditsResponse:
        balance, key = self.add_transaction(
            user_id,
            amount,
            CreditTransactionType.GRANT,
            metadata={"admin_id": admin_id, "reason": comments},
        )
        return AddUserCreditsResponse(new_balance=balance, transaction_key=key)

    def admin_history(
        self,
        *,
        page: int,
        page_size: int,
        search: str | None,
        transaction_filter: CreditTransactionType | None,
    ) -> UserHistoryResponse:
        """Grants, top-ups, refunds and card checks of every user, newest first (usage is
        per user: ``GET /api/credits/transactions``). ``search`` matches user id or email."""
        if page < 1 or page_size < 1:
            raise ValueError("Invalid pagination input")
        from agentplatform.store.users import UserRepository

        entries = [
            e for e in self.store.admin_log() if transaction_filter is None or e.type == transaction_filter
        ]
        emails = _emails(UserRepository(self.store.table), {e.user_id for e in entries} | _admins(entries))
        if search:
            needle = search.lower()
            entries = [
                e
                for e in entries
                if needle in e.user_id.lower() or needle in emails.get(e.user_id, "").lower()
            ]
        total = len(entries)
        shown = entries[(page - 1) * page_size : page * page_size]
        balances = self.store.snapshots([e.user_id for e in shown])
        history = [
            UserTransaction(
                transaction_key=e.key,
                transaction_time=e.time,
                transaction_type=e.type,
                amount=e.amount,
                current_balance=balances[e.user_id].balance,
                running_balance=e.running_balance or 0,
                user_id=e.user_id,
                user_email=emails.get(e.user_id),
                reason=e.metadata.get("reason", "No reason provided") if e.metadata else "",
                admin_email=_admin_email(e, emails),
                extra_data=str(e.metadata),
            )
            for e in shown
        ]
        return UserHistoryResponse(
            history=history,
            pagination=Pagination(
                total_items=total,
                total_pages=math.ceil(total / page_size),
                current_page=page,
                page_size=page_size,
            ),
        )


def _transaction_type(name: str | None) -> CreditTransactionType | None:
    if not name:
        return None
    try:
        return CreditTransactionType[name]
    except KeyError:
        raise ValueError(f"Invalid transaction type: {name}") from None


def _admins(entries: list[StoredEntry]) -> set[str]:
    return {str(e.metadata["admin_id"]) for e in entries if e.metadata.get("admin_id")}


def _emails(users: Any, user_ids: set[str]) -> dict[str, str]:
    from agentplatform.store import keys

    items = users.table.batch_get([(keys.user_pk(u), keys.PROFILE) for u in sorted(user_ids)])
    return {item["id"]: item.get("email", "") for item in items}


def _admin_email(entry: StoredEntry, emails: dict[str, str]) -> str:
    admin_id = entry.metadata.get("admin_id")
    if not admin_id:
        return ""
    return emails.get(str(admin_id)) or f"Unknown Admin: {admin_id}"


def auto_top_up(user_id: str, graph_exec_id: str, config: AutoTopUpConfig) -> None:
    """Called by the engine after a charge left the balance below the threshold: top up
    ``config.amount``, at most once per run (keyed by it), only while still below."""
    from agentplatform.credits.payments import PaymentService

    PaymentService().top_up(
        user_id,
        config.amount,
        key=f"AUTO-TOP-UP-{user_id}-{graph_exec_id}",
        ceiling_balance=config.threshold,
        reason=f"Auto top up credits for {user_id}",
    )
