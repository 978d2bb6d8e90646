"""Reading the ledger and balance straight from the table, to check the invariants."""

from __future__ import annotations

from typing import Any

from tests.conftest import ADMIN_USER_ID
from tests.support.graphs import STORE_VALUE, link, node
from tests.support.runs import create_graph, execute, wait_for


def entries(user_id: str, *, active: bool = True) -> list[Any]:
    from agentplatform.store.credits import CreditStore

    return CreditStore().history(user_id, before=None, limit=None, active=active)


def balance(user_id: str) -> int:
    from agentplatform.store.credits import CreditStore

    return CreditStore().snapshot(user_id).balance


def assert_ledger_matches_balance(user_id: str) -> None:
    """Every credit change is a ledger entry: they add up to the balance, never below 0."""
    ledger = entries(user_id)
    assert sum(e.amount for e in ledger) == balance(user_id)
    assert all((e.running_balance or 0) >= 0 for e in ledger)
    # Each entry's running balance follows from the one before it.
    ordered = sorted(ledger, key=lambda e: e.created_at)
    running = 0
    for entry in ordered:
        running += entry.amount
        assert entry.running_balance == running, entry


def grant(admin_api: Any, user_id: str, amount: int, comments: str = "test grant") -> dict[str, Any]:
    response = admin_api.post(
        "/api/credits/admin/add_credits",
        json_body={"user_id": user_id, "amount": amount, "comments": comments},
    )
    assert response.status_code == 200, response.content
    return response.json()


def chain(length: int, value: str = "paid") -> dict[str, Any]:
    nodes = [node("n0", STORE_VALUE, input=value)] + [node(f"n{i}", STORE_VALUE) for i in range(1, length)]
    links = [link(f"n{i}", "output", f"n{i + 1}", "input") for i in range(length - 1)]
    return {"name": f"chain-{length}", "nodes": nodes, "links": links}


def run_graph(api: Any, graph: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    created = create_graph(api, graph)
    started = execute(api, created)
    return created, wait_for(api, created["id"], started["id"])


__all__ = [
    "ADMIN_USER_ID",
    "assert_ledger_matches_balance",
    "balance",
    "chain",
    "entries",
    "grant",
    "run_graph",
]
