"""The credits routes without Stripe: balance and monthly refill, history paging, auto
top-up validation, admin grants and history, 402 on execute, isolation between users."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import ADMIN_USER_ID, OTHER_USER_ID, USER_ID
from tests.credits.helpers import assert_ledger_matches_balance, balance, entries, grant
from tests.support.graphs import input_store_output_graph
from tests.support.runs import create_graph

INSUFFICIENT = "Insufficient balance to execute the agent. Please top up your account."


def _month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


def test_credits_disabled_by_default_report_100_and_spend_nothing(api):
    assert api.get("/api/credits").json() == {"credits": 100}
    assert api.get("/api/credits/transactions").json() == {"transactions": [], "next_transaction_time": None}
    assert api.get("/api/credits/refunds").json() == []
    assert api.post("/api/credits", json_body={"credit_amount": 1000}).json() == {"checkout_url": ""}
    assert api.patch("/api/credits").status_code == 200
    assert entries(USER_ID) == []


def test_first_balance_of_the_month_refills_once(api, credits_on):
    assert api.get("/api/credits").json() == {"credits": 1500}
    assert api.get("/api/credits").json() == {"credits": 1500}
    [refill] = entries(USER_ID)
    assert (refill.key, refill.type.value, refill.amount, refill.running_balance) == (
        f"MONTHLY-CREDIT-TOP-UP-{_month()}",
        "GRANT",
        1500,
        1500,
    )
    assert refill.metadata == {"reason": "Monthly credit refill"}


def test_refill_tops_up_to_the_level_in_a_new_month_only(api, admin_api, credits_on, monkeypatch):
    from agentplatform.credits import service

    api.get("/api/credits")
    grant(admin_api, USER_ID, -400)  # spent down to 1100 this month: no second refill
    assert api.get("/api/credits").json() == {"credits": 1100}
    monkeypatch.setattr(service, "this_month", lambda: "2099-01")
    assert api.get("/api/credits").json() == {"credits": 1500}
    assert api.get("/api/credits").json() == {"credits": 1500}
    grants = {e.key: e.amount for e in entries(USER_ID) if e.key.startswith("MONTHLY-CREDIT-TOP-UP-")}
    assert grants == {f"MONTHLY-CREDIT-TOP-UP-{_month()}": 1500, "MONTHLY-CREDIT-TOP-UP-2099-01": 400}
    assert_ledger_matches_balance(USER_ID)


def test_a_months_refill_key_applies_once_even_if_the_month_mark_is_lost(api, credits_on):
    from agentplatform.store.credits import CreditStore

    api.get("/api/credits")
    CreditStore().set_fields(USER_ID, refill_month="2000-01")  # the mark lost, the grant kept
    assert api.get("/api/credits").json() == {"credits": 1500}
    assert [e.amount for e in entries(USER_ID)] == [1500]


def test_refill_level_comes_from_settings(api, settings_env):
    settings_env(NUM_USER_CREDITS_REFILL="250")
    assert api.get("/api/credits").json() == {"credits": 250}


def test_execute_answers_402_when_the_balance_is_exhausted(api, settings_env):
    settings_env(NUM_USER_CREDITS_REFILL="0")
    graph = create_graph(api, input_store_output_graph())
    response = api.post(f"/api/graphs/{graph['id']}/execute/1", json_body={"inputs": {"x": 1}})
    assert response.status_code == 402
    assert response.json()["detail"] == INSUFFICIENT
    assert api.get("/api/executions").json() == []  # nothing was queued


def test_execute_is_allowed_with_credits_left(api, credits_on):
    graph = create_graph(api, input_store_output_graph())
    response = api.post(f"/api/graphs/{graph['id']}/execute/1", json_body={"inputs": {"x": 1}})
    assert response.status_code == 200
    assert response.json()["status"] == "QUEUED"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"threshold": -1, "amount": 0}, "Threshold must be greater than 0"),
        ({"threshold": 0, "amount": 499}, "Amount must be greater than or equal to 500"),
        ({"threshold": 600, "amount": 500}, "Amount must be greater than or equal to threshold"),
    ],
)
def test_auto_top_up_settings_are_validated_as_upstream(api, body, detail):
    response = api.post("/api/credits/auto-top-up", json_body=body)
    assert response.status_code == 422
    assert response.json()["detail"] == detail


def test_auto_top_up_settings_default_to_off_and_are_stored(api):
    assert api.get("/api/credits/auto-top-up").json() == {"amount": 0, "threshold": 0}
    response = api.post("/api/credits/auto-top-up", json_body={"threshold": 100, "amount": 500})
    assert response.status_code == 200
    assert response.json() == "Auto top-up settings updated"
    assert api.get("/api/credits/auto-top-up").json() == {"amount": 500, "threshold": 100}


def test_transactions_page_newest_first_with_a_time_cursor(api, admin_api, credits_on):
    api.get("/api/credits")  # the refill: one GRANT
    keys = [grant(admin_api, USER_ID, amount)["transaction_key"] for amount in (1, 2, 3, 4)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"transaction_count_limit": 2} | ({"transaction_time": cursor} if cursor else {})
        page = api.get("/api/credits/transactions", params=params).json()
        seen.extend(t["transaction_key"] for t in page["transactions"])
        pages += 1
        cursor = page["next_transaction_time"]
        if cursor is None:
            break
    assert seen == [*reversed(keys), f"MONTHLY-CREDIT-TOP-UP-{_month()}"]
    assert pages == 3
    first = api.get("/api/credits/transactions", params={"transaction_count_limit": 1}).json()
    assert first["transactions"][0] | {"transaction_time": None, "usage_start_time": None} == {
        "transaction_key": keys[-1],
        "transaction_time": None,
        "transaction_type": "GRANT",
        "amount": 4,
        "running_balance": 1510,
        "current_balance": 0,
        "description": "GRANT Transaction",
        "usage_graph_id": None,
        "usage_execution_id": None,
        "usage_node_count": 0,
        "usage_start_time": None,
        "user_id": USER_ID,
        "user_email": None,
        "reason": None,
        "admin_email": None,
        "extra_data": None,
    }


@pytest.mark.parametrize("limit", [0, 1001])
def test_transaction_count_limit_is_1_to_1000(api, credits_on, limit):
    response = api.get("/api/credits/transactions", params={"transaction_count_limit": limit})
    assert response.status_code == 400
    assert response.json()["detail"] == "Transaction count limit must be between 1 and 1000"


def test_transactions_filter_by_type(api, admin_api, credits_on):
    api.get("/api/credits")
    grant(admin_api, USER_ID, 5)
    usage = api.get("/api/credits/transactions", params={"transaction_type": "USAGE"}).json()
    assert usage == {"transactions": [], "next_transaction_time": None}
    grants = api.get("/api/credits/transactions", params={"transaction_type": "GRANT"}).json()
    assert [t["amount"] for t in grants["transactions"]] == [5, 1500]
    assert api.get("/api/credits/transactions", params={"transaction_type": "BOGUS"}).status_code == 400


def test_admin_grant_and_history(api, admin_api, other_api, credits_on):
    api.post("/api/auth/user")  # known users have emails in the history
    admin_api.post("/api/auth/user")
    api.get("/api/credits")
    granted = grant(admin_api, USER_ID, 250, "support goodwill")
    assert granted["new_balance"] == 1750
    grant(admin_api, OTHER_USER_ID, 10)
    history = admin_api.get("/api/credits/admin/users_history", params={"page_size": 2}).json()
    assert history["pagination"] == {"total_items": 3, "total_pages": 2, "current_page": 1, "page_size": 2}
    newest = history["history"][0]
    assert newest["user_id"] == OTHER_USER_ID and newest["amount"] == 10
    mine = admin_api.get("/api/credits/admin/users_history", params={"search": USER_ID}).json()["history"]
    assert [(h["amount"], h["transaction_type"]) for h in mine] == [(250, "GRANT"), (1500, "GRANT")]
    assert mine[0]["reason"] == "support goodwill"
    assert mine[0]["current_balance"] == 1750 and mine[0]["running_balance"] == 1750
    assert mine[0]["admin_email"] and mine[0]["admin_email"] != f"Unknown Admin: {ADMIN_USER_ID}"
    grants = admin_api.get("/api/credits/admin/users_history", params={"transaction_filter": "TOP_UP"}).json()
    assert grants["history"] == [] and grants["pagination"]["total_items"] == 0
    assert_ledger_matches_balance(USER_ID)


def test_admin_cannot_take_a_balance_below_zero(admin_api, credits_on):
    response = admin_api.post(
        "/api/credits/admin/add_credits", json_body={"user_id": OTHER_USER_ID, "amount": -5, "comments": "x"}
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Insufficient balance of $0.0, where this will cost $0.05"
    assert balance(OTHER_USER_ID) == 0


def test_admin_routes_are_admin_only(api):
    response = api.post(
        "/api/credits/admin/add_credits", json_body={"user_id": USER_ID, "amount": 5, "comments": "x"}
    )
    assert response.status_code == 403
    assert api.get("/api/credits/admin/users_history").status_code == 403
    assert entries(USER_ID) == []


def test_users_see_only_their_own_credits(api, other_api, admin_api, credits_on):
    api.get("/api/credits")
    key = grant(admin_api, USER_ID, 50)["transaction_key"]
    assert other_api.get("/api/credits").json() == {"credits": 1500}
    theirs = other_api.get("/api/credits/transactions").json()["transactions"]
    assert key not in {t["transaction_key"] for t in theirs}
    response = other_api.post(f"/api/credits/{key}/refund", json_body={"reason": "mine?"})
    assert response.status_code == 404
    assert other_api.get("/api/credits/refunds").json() == []


def test_credit_routes_need_a_token(anonymous_api):
    assert anonymous_api.get("/api/credits").status_code == 401
    assert anonymous_api.get("/api/credits/transactions").status_code == 401
