"""Paid credits through Stripe, against a loopback stub of its API: checkout and
fulfilment, the signed webhook (replays are no-ops), refunds, disputes, the billing
portal, auto top-up once per run, and 503 without a key."""

from __future__ import annotations

from typing import Any

from tests.conftest import USER_ID
from tests.credits.helpers import assert_ledger_matches_balance, balance, chain, entries, run_graph
from tests.support.stripe_stub import form, signed_event


def _checkout(api: Any, stripe: Any, amount: int = 1000) -> str:
    response = api.post("/api/credits", json_body={"credit_amount": amount})
    assert response.status_code == 200, response.content
    url = response.json()["checkout_url"]
    return url.rsplit("/", 1)[1]


def _deliver(anonymous_api: Any, event_type: str, data: dict[str, Any], event_id: str) -> Any:
    body, headers = signed_event(event_type, data, event_id)
    return anonymous_api.post("/api/credits/stripe_webhook", body=body, headers=headers)


def test_without_a_stripe_key_the_payment_routes_answer_503(api, anonymous_api, credits_on):
    for response in (
        api.post("/api/credits", json_body={"credit_amount": 1000}),
        api.get("/api/credits/manage"),
    ):
        assert response.status_code == 503
        assert (
            response.json()["detail"]
            == "Payments are not available: Stripe is not configured (set STRIPE_API_KEY)."
        )
    webhook = anonymous_api.post(
        "/api/credits/stripe_webhook", body="{}", headers={"stripe-signature": "t=1,v1=x"}
    )
    assert webhook.status_code == 503
    assert webhook.json()["detail"] == "Webhook not configured (set STRIPE_WEBHOOK_SECRET)."


def test_checkout_then_fulfil_credits_the_payment_once(api, stripe):
    api.get("/api/credits")  # 1500 from the month's refill
    session_id = _checkout(api, stripe)
    [created] = stripe.calls("POST", "/v1/checkout/sessions")
    sent = form(created)
    assert sent["line_items[0][price_data][unit_amount]"] == "1000"
    assert sent["mode"] == "payment"
    assert sent["success_url"] == "http://localhost:3000/profile/credits?topup=success"
    assert created.headers["Authorization"] == "Bearer sk_test_platform"
    assert created.headers["Host"] == "api.stripe.com"  # the real API host, sent to the stub
    assert api.get("/api/credits").json() == {"credits": 1500}  # pending until paid

    assert api.patch("/api/credits").status_code == 200  # not paid yet: nothing
    assert balance(USER_ID) == 1500
    stripe.paid_sessions.add(session_id)
    assert api.patch("/api/credits").status_code == 200
    assert api.patch("/api/credits").status_code == 200  # again: a no-op
    assert api.get("/api/credits").json() == {"credits": 2500}
    top_ups = [e for e in entries(USER_ID) if e.type.value == "TOP_UP"]
    assert [(e.key, e.amount) for e in top_ups] == [(f"pi_for_{session_id}", 1000)]
    assert_ledger_matches_balance(USER_ID)


def test_top_up_amount_is_validated_before_stripe_is_called(api, stripe):
    for amount in (400, 550):
        response = api.post("/api/credits", json_body={"credit_amount": amount})
        assert response.status_code == 400
        assert response.json()["detail"] == (
            f"Top up amount must be at least 500 credits and multiple of 100 but is {amount}"
        )
    assert stripe.server.requests == []


def test_signed_webhook_fulfils_and_a_replay_is_a_no_op(api, anonymous_api, stripe):
    api.get("/api/credits")
    session_id = _checkout(api, stripe, 2000)
    stripe.paid_sessions.add(session_id)
    data = {"id": session_id, "object": "checkout.session", "payment_status": "paid"}
    assert _deliver(anonymous_api, "checkout.session.completed", data, "evt_1").status_code == 200
    assert balance(USER_ID) == 3500
    assert _deliver(anonymous_api, "checkout.session.completed", data, "evt_1").status_code == 200
    assert (
        _deliver(anonymous_api, "checkout.session.async_payment_succeeded", data, "evt_2").status_code == 200
    )
    assert balance(USER_ID) == 3500
    assert len(stripe.calls("GET", f"/v1/checkout/sessions/{session_id}")) == 1  # the replay stopped early
    assert_ledger_matches_balance(USER_ID)


def test_webhook_with_a_bad_signature_is_refused(anonymous_api, stripe):
    body, headers = signed_event("checkout.session.completed", {"id": "cs_x"}, "evt_bad")
    tampered = body.replace("cs_x", "cs_y")
    response = anonymous_api.post("/api/credits/stripe_webhook", body=tampered, headers=headers)
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid signature"


def _paid_top_up(api: Any, stripe: Any, amount: int = 1000) -> str:
    session_id = _checkout(api, stripe, amount)
    stripe.paid_sessions.add(session_id)
    api.patch("/api/credits")
    return f"pi_for_{session_id}"


def test_refund_within_the_balance_goes_to_stripe_and_the_webhook_deducts_it(api, anonymous_api, stripe):
    api.get("/api/credits")
    intent = _paid_top_up(api, stripe)
    response = api.post(f"/api/credits/{intent}/refund", json_body={"reason": "changed my mind"})
    assert response.status_code == 200
    assert response.json() == 1000
    [refund_call] = stripe.calls("POST", "/v1/refunds")
    assert form(refund_call)["payment_intent"] == intent
    [request] = api.get("/api/credits/refunds").json()
    assert (request["status"], request["amount"], request["reason"]) == ("PENDING", 1000, "changed my mind")

    refund = {
        "id": "re_1",
        "object": "refund",
        "amount": 1000,
        "status": "succeeded",
        "payment_intent": intent,
    }
    assert _deliver(anonymous_api, "refund.created", refund, "evt_refund").status_code == 200
    assert _deliver(anonymous_api, "refund.created", refund, "evt_refund").status_code == 200  # replay
    assert balance(USER_ID) == 1500
    [request] = api.get("/api/credits/refunds").json()
    assert request["status"] == "APPROVED"
    refunds = [e for e in entries(USER_ID) if e.type.value == "REFUND"]
    assert [(e.key, e.amount) for e in refunds] == [("re_1", -1000)]
    assert_ledger_matches_balance(USER_ID)

    again = api.post(f"/api/credits/{intent}/refund", json_body={"reason": "twice"})
    assert again.status_code == 400  # one request per top-up week
    assert "within the same week has already been made" in again.json()["detail"]


def test_refund_beyond_the_balance_waits_for_review(api, admin_api, stripe):
    api.get("/api/credits")
    intent = _paid_top_up(api, stripe, 1000)
    admin_api.post(
        "/api/credits/admin/add_credits", json_body={"user_id": USER_ID, "amount": -2400, "comments": "spent"}
    )
    assert api.post(f"/api/credits/{intent}/refund", json_body={}).json() == 0
    assert stripe.calls("POST", "/v1/refunds") == []


def test_a_lost_dispute_never_takes_the_balance_below_zero(api, admin_api, anonymous_api, stripe):
    api.get("/api/credits")
    intent = _paid_top_up(api, stripe, 1000)
    admin_api.post(
        "/api/credits/admin/add_credits", json_body={"user_id": USER_ID, "amount": -2200, "comments": "spent"}
    )
    stripe.dispute("dp_1", "lost")
    dispute = {"id": "dp_1", "object": "dispute", "amount": 1000, "status": "lost", "payment_intent": intent}
    assert _deliver(anonymous_api, "charge.dispute.closed", dispute, "evt_dp").status_code == 200
    assert balance(USER_ID) == 0  # 300 left: only 300 taken back
    assert_ledger_matches_balance(USER_ID)


def test_a_dispute_the_balance_covers_is_conceded(api, anonymous_api, stripe):
    api.get("/api/credits")
    intent = _paid_top_up(api, stripe, 1000)
    stripe.dispute("dp_2", "needs_response")
    dispute = {
        "id": "dp_2",
        "object": "dispute",
        "amount": 1000,
        "status": "needs_response",
        "payment_intent": intent,
    }
    assert _deliver(anonymous_api, "charge.dispute.created", dispute, "evt_dp2").status_code == 200
    assert len(stripe.calls("POST", "/v1/disputes/dp_2/close")) == 1


def test_billing_portal_url(api, stripe):
    response = api.get("/api/credits/manage")
    assert response.json() == {"url": "https://billing.stripe.com/p/session/test"}
    [portal] = stripe.calls("POST", "/v1/billing_portal/sessions")
    assert form(portal)["return_url"] == "http://localhost:3000/profile/credits"
    api.get("/api/credits/manage")
    assert len(stripe.calls("POST", "/v1/customers")) == 1  # the customer is made once


def test_configuring_auto_top_up_checks_the_card(api, stripe):
    response = api.post("/api/credits/auto-top-up", json_body={"threshold": 100, "amount": 500})
    assert response.status_code == 200
    assert len(stripe.calls("POST", "/v1/setup_intents")) == 1  # balance above threshold: a card check
    checks = [e for e in entries(USER_ID) if e.type.value == "CARD_CHECK"]
    assert len(checks) == 1 and checks[0].amount == 0


def test_auto_top_up_without_a_card_is_refused(api, stripe):
    stripe.payment_methods = []
    response = api.post("/api/credits/auto-top-up", json_body={"threshold": 100, "amount": 500})
    assert response.status_code == 422
    assert response.json()["detail"] == "No payment method found, please add it on the platform."
    assert api.get("/api/credits/auto-top-up").json() == {"amount": 0, "threshold": 0}


def test_auto_top_up_fires_once_per_run_when_charges_cross_the_threshold(api, stripe, settings_env, priced):
    from agentplatform.models.credits import AutoTopUpConfig
    from agentplatform.store.credits import CreditStore

    settings_env(NUM_USER_CREDITS_REFILL="30")
    api.get("/api/credits")
    CreditStore().set_fields(USER_ID, top_up=AutoTopUpConfig(threshold=20, amount=500).model_dump())
    _, run = run_graph(api, chain(4))  # 30 -> 23 -> 16 (top-up: 516) -> 509 -> 502

    assert run["status"] == "COMPLETED"
    [intent_call] = stripe.calls("POST", "/v1/payment_intents")
    assert form(intent_call)["amount"] == "500" and form(intent_call)["off_session"] == "true"
    assert balance(USER_ID) == 30 - 28 + 500
    top_ups = [e for e in entries(USER_ID) if e.type.value == "TOP_UP"]
    assert len(top_ups) == 1 and top_ups[0].key.startswith("pi_")
    marker = [e for e in entries(USER_ID, active=False) if e.key == f"AUTO-TOP-UP-{USER_ID}-{run['id']}"]
    assert marker == []  # the pending entry was paid: it left the pending list
    assert_ledger_matches_balance(USER_ID)

    CreditStore().set_fields(USER_ID, top_up=AutoTopUpConfig(threshold=600, amount=600).model_dump())
    _, second = run_graph(api, chain(2))  # below the threshold throughout: one top-up for this run
    assert second["status"] == "COMPLETED"
    assert len(stripe.calls("POST", "/v1/payment_intents")) == 2
    assert balance(USER_ID) == 502 - 14 + 600
    assert_ledger_matches_balance(USER_ID)


def test_a_declined_card_leaves_the_run_and_the_balance_alone(api, stripe, settings_env, priced):
    from agentplatform.models.credits import AutoTopUpConfig
    from agentplatform.store.credits import CreditStore

    settings_env(NUM_USER_CREDITS_REFILL="30")
    api.get("/api/credits")
    CreditStore().set_fields(USER_ID, top_up=AutoTopUpConfig(threshold=20, amount=500).model_dump())
    stripe.card_declined = True
    _, run = run_graph(api, chain(2))
    assert run["status"] == "COMPLETED"
    assert balance(USER_ID) == 16
    assert_ledger_matches_balance(USER_ID)
