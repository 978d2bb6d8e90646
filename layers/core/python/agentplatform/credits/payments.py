"""Paid credits through Stripe (spec §1.5): checkout, fulfilment, off-session top-ups,
refunds, disputes and the webhook. Stripe calls go through ``credits/stripe_api.py``.

A top-up is first a pending (inactive) ledger entry; it counts once Stripe says it was
paid, renamed to the payment intent id as upstream (refunds and disputes name it).
Webhook events are claimed by id before they are handled, so a replay is a no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any

from agentplatform.config import get_settings
from agentplatform.credits.service import CreditService, credits_enabled, dollars
from agentplatform.credits.stripe_api import stripe_client, verified_event
from agentplatform.errors import NotFoundError
from agentplatform.models.credits import CreditTransactionType, RefundRequestStatus
from agentplatform.notifications.producers import refund as notify_refund
from agentplatform.store.credits import DuplicateTransaction, StoredEntry

logger = logging.getLogger(__name__)

PRODUCT_NAME = "AutoGPT Platform Credits"
_PAID = ("paid", "no_payment_required")
_NO_CARD_ERRORS = {"allow_redirects": "never", "enabled": True}


@contextmanager
def _stripe_errors() -> Iterator[None]:
    """Stripe refusing the request (a declined card, a bad parameter) is the caller's
    problem: 400 with Stripe's user-facing message. Other Stripe failures stay 500s."""
    import stripe

    try:
        yield
    except (stripe.CardError, stripe.InvalidRequestError) as exc:
        raise ValueError(exc.user_message or "The payment provider refused the request.") from None


def _as_dict(obj: Any) -> dict[str, Any]:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


class PaymentService:
    def __init__(self, credits: CreditService | None = None):
        self.credits = credits or CreditService()
        self.store = self.credits.store

    def _base_url(self) -> str:
        return get_settings().frontend_base_url

    # -- customers and the billing portal

    def customer_id(self, user_id: str) -> str:
        snapshot = self.store.snapshot(user_id)
        if snapshot.stripe_customer_id:
            return snapshot.stripe_customer_id
        from agentplatform.store.users import UserRepository

        user = UserRepository(self.store.table).get_or_create(user_id)
        with _stripe_errors():
            customer = stripe_client().v1.customers.create(
                params={"name": user.name or "", "email": user.email, "metadata": {"user_id": user_id}}
            )
        self.store.set_fields(user_id, stripe_customer_id=customer.id)
        return str(customer.id)

    def billing_portal_url(self, user_id: str) -> str:
        client = stripe_client()
        with _stripe_errors():
            session = client.v1.billing_portal.sessions.create(
                params={
                    "customer": self.customer_id(user_id),
                    "return_url": self._base_url() + "/profile/credits",
                }
            )
        return str(session.url)

    # -- checkout

    def top_up_intent(self, user_id: str, amount: int) -> str:
        """A Stripe checkout session for ``amount`` credits (cents); its URL."""
        if not credits_enabled():
            return ""
        if amount < 500 or amount % 100 != 0:
            raise ValueError(
                f"Top up amount must be at least 500 credits and multiple of 100 but is {amount}"
            )
        client = stripe_client()
        with _stripe_errors():
            session = client.v1.checkout.sessions.create(
                params={
                    "customer": self.customer_id(user_id),
                    "line_items": [
                        {
                            "price_data": {
                                "currency": "usd",
                                "product_data": {"name": PRODUCT_NAME},
                                "unit_amount": amount,
                            },
                            "quantity": 1,
                        }
                    ],
                    "mode": "payment",
                    "ui_mode": "hosted",
                    "payment_intent_data": {"setup_future_usage": "off_session"},
                    "saved_payment_method_options": {"payment_method_save": "enabled"},
                    "success_url": self._base_url() + "/profile/credits?topup=success",
                    "cancel_url": self._base_url() + "/profile/credits?topup=cancel",
                    "allow_promotion_codes": True,
                }
            )
        self.store.link_stripe_object(session.id, user_id)
        self.credits.add_transaction(
            user_id,
            amount,
            CreditTransactionType.TOP_UP,
            key=session.id,
            is_active=False,
            metadata={"checkout_session_id": session.id, "reason": f"Top up credits for {user_id}"},
        )
        return str(session.url or "")

    def fulfill_checkout(self, *, session_id: str | None = None, user_id: str | None = None) -> None:
        """Credit a paid checkout: the given session, or the user's latest pending one.
        Called again for the same session, it does nothing."""
        if (not session_id and not user_id) or (session_id and user_id):
            raise ValueError("Either session_id or user_id must be provided")
        pending = self._pending_checkout(session_id=session_id, user_id=user_id)
        if pending is None or not pending.key.startswith("cs_"):
            return
        with _stripe_errors():
            session = _as_dict(
                stripe_client().v1.checkout.sessions.retrieve(
                    pending.key, params={"expand": ["payment_intent"]}
                )
            )
        if session.get("payment_status") not in _PAID:
            return
        intent = session.get("payment_intent")
        intent_id = intent.get("id") if isinstance(intent, dict) else intent
        new_key = str(intent_id or f"{pending.key}-PAID")
        self.store.link_stripe_object(new_key, pending.user_id)
        self.credits.enable(pending.user_id, pending, new_key, {"checkout_session_id": pending.key})

    def _pending_checkout(self, *, session_id: str | None, user_id: str | None) -> StoredEntry | None:
        if session_id:
            owner = self.store.stripe_object_owner(session_id)
            entry = self.store.get_entry(owner, session_id) if owner else None
            return entry if entry and _is_pending_top_up(entry) else None
        assert user_id is not None
        pending = self.store.history(
            user_id, before=None, limit=None, transaction_type=CreditTransactionType.TOP_UP, active=False
        )
        return next((entry for entry in pending if _is_pending_top_up(entry)), None)

    # -- off-session top-ups (auto top-up, card check)

    def top_up(
        self,
        user_id: str,
        amount: int,
        *,
        key: str | None = None,
        ceiling_balance: int | None = None,
        reason: str | None = None,
    ) -> None:
        """Charge the user's saved card ``amount`` credits now (0: only check the card)."""
        if amount < 0:
            raise ValueError(f"Top up amount must not be negative: {amount}")
        client = stripe_client()
        if key is not None and self.store.get_entry(user_id, key):
            raise ValueError(f"Transaction key {key} already exists for user {user_id}")
        kind = CreditTransactionType.CARD_CHECK if amount == 0 else CreditTransactionType.TOP_UP
        try:
            _, pending_key = self.credits.add_transaction(
                user_id,
                amount,
                kind,
                key=key,
                is_active=False,
                ceiling_balance=ceiling_balance,
                metadata={"reason": reason or f"Top up credits for {user_id}"},
            )
        except DuplicateTransaction:
            raise ValueError(f"Transaction key {key} already exists for user {user_id}") from None
        customer = self.customer_id(user_id)
        with _stripe_errors():
            methods = client.v1.payment_methods.list(params={"customer": customer, "type": "card"}).data
        if not methods:
            raise ValueError("No payment method found, please add it on the platform.")
        paid = None
        for method in methods:
            paid = self._charge_card(client, customer, method.id, amount, kind)
            if paid:
                break
        if not paid:
            raise ValueError(f"Out of {len(methods)} payment methods tried, none is supported")
        new_key, detail = paid
        pending = self.store.get_entry(user_id, pending_key)
        assert pending is not None
        self.store.link_stripe_object(new_key, user_id)
        self.credits.enable(user_id, pending, new_key, detail)

    @staticmethod
    def _charge_card(
        client: Any, customer: str, method_id: str, amount: int, kind: CreditTransactionType
    ) -> tuple[str, dict[str, Any]] | None:
        with _stripe_errors():
            if kind == CreditTransactionType.CARD_CHECK:
                intent = client.v1.setup_intents.create(
                    params={
                        "customer": customer,
                        "usage": "off_session",
                        "confirm": True,
                        "payment_method": method_id,
                        "automatic_payment_methods": _NO_CARD_ERRORS,
                    }
                )
                return (intent.id, {"setup_intent_id": intent.id}) if intent.status == "succeeded" else None
            intent = client.v1.payment_intents.create(
                params={
                    "amount": amount,
                    "currency": "usd",
                    "description": PRODUCT_NAME,
                    "customer": customer,
                    "off_session": True,
                    "confirm": True,
                    "payment_method": method_id,
                    "automatic_payment_methods": _NO_CARD_ERRORS,
                }
            )
            return (intent.id, {"payment_intent_id": intent.id}) if intent.status == "succeeded" else None

    # -- refunds

    def top_up_refund(self, user_id: str, transaction_key: str, metadata: dict[str, str]) -> int:
        """Ask for a top-up's refund. Refunded at once through Stripe when the balance
        still covers it (within ``REFUND_CREDIT_TOLERANCE_THRESHOLD``); otherwise the
        request waits for manual review and 0 is returned."""
        if not credits_enabled():
            return 0
        entry = self.store.get_entry(user_id, transaction_key)
        if entry is None or not entry.is_active or entry.type != CreditTransactionType.TOP_UP:
            raise NotFoundError(f"Transaction #{transaction_key} not found.")
        balance = self.credits.get_credits(user_id)
        at = datetime.now(UTC).isoformat()
        request = {
            "id": f"{entry.time.strftime('%Y-%W')}-{user_id}",
            "user_id": user_id,
            "transaction_key": transaction_key,
            "amount": entry.amount,
            "reason": metadata.get("reason", ""),
            "status": RefundRequestStatus.PENDING.value,
            "result": "The refund request is under review.",
            "created_at": at,
            "updated_at": at,
        }
        if not self.store.add_refund_request(user_id, request):
            raise ValueError(
                "Unable to request a refund for this transaction, the request of the top-up "
                "transaction within the same week has already been made."
            )
        if entry.amount - balance > get_settings().refund_credit_tolerance_threshold:
            notify_refund("REFUND_REQUEST", request, balance)
            return 0  # for manual approval
        client = stripe_client()
        with _stripe_errors():
            refund = client.v1.refunds.create(
                params={"payment_intent": transaction_key, "metadata": metadata}
            )
        return int(refund.amount)

    # -- webhook

    def handle_webhook(self, payload: bytes, signature: str | None) -> None:
        event = _as_dict(verified_event(payload, signature))
        event_id, kind = str(event.get("id") or ""), str(event.get("type") or "")
        data = (event.get("data") or {}).get("object")
        if not event_id or not isinstance(data, dict):
            logger.warning("stripe webhook %s without an id or object: ignored", kind)
            return
        if not self.store.claim_event(event_id):
            return  # delivered before: handled already
        try:
            if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
                if data.get("id"):
                    self.fulfill_checkout(session_id=str(data["id"]))
            elif kind == "charge.dispute.created":
                self.handle_dispute(data)
            elif kind in ("refund.created", "charge.dispute.closed"):
                self.deduct_credits(data)
        except Exception:
            self.store.release_event(event_id)  # let Stripe's retry run it again
            raise

    def _disputed_top_up(self, obj: dict[str, Any]) -> StoredEntry | None:
        intent = str(obj.get("payment_intent") or "")
        owner = self.store.stripe_object_owner(intent) if intent else None
        entry = self.store.get_entry(owner, intent) if owner else None
        if entry is None or not entry.is_active or entry.type != CreditTransactionType.TOP_UP:
            logger.warning("stripe %s %s names no top-up of ours", obj.get("object"), obj.get("id"))
            return None
        return entry

    def deduct_credits(self, obj: dict[str, Any]) -> None:
        """A succeeded refund or a lost dispute takes the credits back (never below zero)."""
        is_refund = obj.get("object") == "refund"
        if (is_refund and obj.get("status") != "succeeded") or (
            not is_refund and obj.get("status") != "lost"
        ):
            return
        entry = self._disputed_top_up(obj)
        if entry is None:
            return
        amount = int(obj.get("amount") or 0)
        if amount <= 0 or amount > entry.amount:
            raise ValueError(
                f"Invalid amount to deduct {dollars(amount)} from {dollars(entry.amount)} top-up"
            )
        balance: int | None = None
        with suppress(DuplicateTransaction):  # delivered again: deducted already
            balance, _ = self.credits.add_transaction(
                entry.user_id,
                -amount,
                CreditTransactionType.REFUND,
                key=str(obj["id"]),
                metadata={"reason": str(obj.get("reason") or "-"), "stripe_object": obj.get("object")},
                fail_insufficient_credits=False,
            )
        self.store.resolve_refund_requests(
            entry.user_id,
            entry.key,
            amount=amount,
            status=RefundRequestStatus.APPROVED.value,
            result="The refund request has been approved, the amount will be credited back to your account.",
            updated_at=datetime.now(UTC).isoformat(),
        )
        if balance is not None:
            processed = {"id": str(obj["id"]), "user_id": entry.user_id, "transaction_key": entry.key}
            details = {"reason": str(obj.get("reason") or "-"), "amount": entry.amount}
            notify_refund("REFUND_PROCESSED", {**processed, **details}, balance)

    def handle_dispute(self, dispute: dict[str, Any]) -> None:
        """Concede when the balance covers the amount; otherwise answer with the usage."""
        entry = self._disputed_top_up(dispute)
        if entry is None:
            return
        amount = int(dispute.get("amount") or 0)
        balance = self.store.snapshot(entry.user_id).balance
        client = stripe_client()
        with _stripe_errors():
            if balance - amount >= get_settings().refund_credit_tolerance_threshold:
                client.v1.disputes.close(str(dispute["id"]))
                return
            evidence: Any = self._evidence(entry)
            client.v1.disputes.update(str(dispute["id"]), params={"evidence": evidence})

    def _evidence(self, entry: StoredEntry) -> dict[str, str]:
        """Upstream's evidence: the top-up, then the account's recent activity."""
        from agentplatform.store.users import UserRepository

        history = self.credits.history(entry.user_id, limit=1000).transactions
        lines = [
            f"The top-up transaction of ${entry.amount / 100:.2f} was processed successfully, and the "
            "corresponding credits were applied to the user's account. Our records confirm that the funds "
            "were utilized for the intended services. Below is a summary of recent transaction activity:"
        ]
        for tx in history:
            subject = (
                " [This top-up transaction is the subject of the dispute]."
                if tx.transaction_key == entry.key
                else ""
            )
            lines.append(
                f"- {tx.description}: Amount ${tx.amount / 100:.2f} on {tx.transaction_time.isoformat()}, "
                f"resulting balance ${tx.running_balance / 100:.2f}{subject}"
            )
        user = UserRepository(self.store.table).get_or_create(entry.user_id)
        return {
            "product_description": PRODUCT_NAME,
            "customer_email_address": user.email,
            "uncategorized_text": "\n".join(lines)[:20000],
        }


def _is_pending_top_up(entry: StoredEntry) -> bool:
    return (
        not entry.is_active
        and entry.enabled_as is None
        and entry.type == CreditTransactionType.TOP_UP
        and entry.amount > 0
    )
