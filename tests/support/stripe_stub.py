"""A loopback stand-in for Stripe's REST API (form-encoded requests, JSON objects back),
and webhook deliveries signed with the ``stripe`` package's own helper.

Reached through ``OUTBOUND_HOST_OVERRIDES="api.stripe.com=http://127.0.0.1:PORT"``: the
platform's ``stripe`` client keeps calling ``https://api.stripe.com``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from tests.support.http_server import LoopbackServer, RecordedRequest, loopback_server

API_KEY = "sk_test_platform"
WEBHOOK_SECRET = "whsec_test_platform"


def _json(payload: dict[str, Any], status: int = 200) -> tuple[int, dict[str, str], bytes]:
    return (
        status,
        {"Content-Type": "application/json", "Request-Id": "req_stub"},
        json.dumps(payload).encode(),
    )


def form(request: RecordedRequest) -> dict[str, str]:
    """A Stripe request body (``a[b][0]=c`` keys kept flat)."""
    return {k: v[0] for k, v in parse_qs(request.body.decode()).items()}


@dataclass
class StripeStub:
    server: LoopbackServer
    paid_sessions: set[str] = field(default_factory=set)
    card_declined: bool = False
    payment_methods: list[str] = field(default_factory=lambda: ["pm_card_visa"])
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def calls(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.server.requests if r.method == method and r.path.split("?")[0] == path]

    def next_id(self, prefix: str) -> str:
        return f"{prefix}_test_{next(self._ids)}"

    # -- the objects

    def customer(self, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        return _json({"id": self.next_id("cus"), "object": "customer", "email": form(request).get("email")})

    def checkout_session(self, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        session_id = self.next_id("cs")
        amount = int(form(request)["line_items[0][price_data][unit_amount]"])
        self.server.routes[f"/v1/checkout/sessions/{session_id}"] = lambda req: self._session(
            session_id, amount
        )
        return _json(
            {
                "id": session_id,
                "object": "checkout.session",
                "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                "payment_status": "unpaid",
                "amount_total": amount,
            }
        )

    def _session(self, session_id: str, amount: int) -> tuple[int, dict[str, str], bytes]:
        paid = session_id in self.paid_sessions
        intent = {
            "id": f"pi_for_{session_id}",
            "object": "payment_intent",
            "amount": amount,
            "status": "succeeded",
        }
        return _json(
            {
                "id": session_id,
                "object": "checkout.session",
                "payment_status": "paid" if paid else "unpaid",
                "payment_intent": intent if paid else None,
                "amount_total": amount,
            }
        )

    def portal(self, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        return _json(
            {
                "id": self.next_id("bps"),
                "object": "billing_portal.session",
                "url": "https://billing.stripe.com/p/session/test",
            }
        )

    def list_payment_methods(self, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        data = [{"id": pm, "object": "payment_method", "type": "card"} for pm in self.payment_methods]
        return _json({"object": "list", "data": data, "has_more": False, "url": "/v1/payment_methods"})

    def payment_intent(self, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        if self.card_declined:
            error = {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}
            return _json({"error": error}, status=402)
        body = form(request)
        return _json(
            {
                "id": self.next_id("pi"),
                "object": "payment_intent",
                "amount": int(body["amount"]),
                "status": "succeeded",
            }
        )

    def setup_intent(self, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        return _json({"id": self.next_id("seti"), "object": "setup_intent", "status": "succeeded"})

    def refund(self, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        body = form(request)
        amount = int(body.get("amount") or 0) or 1000
        return _json(
            {
                "id": self.next_id("re"),
                "object": "refund",
                "amount": amount,
                "status": "succeeded",
                "payment_intent": body["payment_intent"],
            }
        )

    def dispute(self, dispute_id: str, status: str) -> None:
        answer = lambda req: _json({"id": dispute_id, "object": "dispute", "status": status})  # noqa: E731
        self.server.routes[f"/v1/disputes/{dispute_id}/close"] = answer
        self.server.routes[f"/v1/disputes/{dispute_id}"] = answer


@contextmanager
def stripe_stub() -> Iterator[StripeStub]:
    with loopback_server({}) as server:
        stub = StripeStub(server)
        server.routes.update(
            {
                "/v1/customers": stub.customer,
                "/v1/checkout/sessions": stub.checkout_session,
                "/v1/billing_portal/sessions": stub.portal,
                "/v1/payment_methods": stub.list_payment_methods,
                "/v1/payment_intents": stub.payment_intent,
                "/v1/setup_intents": stub.setup_intent,
                "/v1/refunds": stub.refund,
            }
        )
        yield stub


def signed_event(event_type: str, data_object: dict[str, Any], event_id: str) -> tuple[str, dict[str, str]]:
    """A webhook delivery: body and ``Stripe-Signature`` header, signed as Stripe signs."""
    import stripe

    body = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "api_version": "2024-06-20",
            "data": {"object": data_object},
        }
    )
    header = stripe.WebhookSignature.generate_signature_header(body, WEBHOOK_SECRET)
    return body, {"stripe-signature": header, "content-type": "application/json"}
