"""Charging under faults: run_node dying after the charge and retried, runs racing for
the last credits, writers racing on one balance. After each: the ledger adds up to the
balance, no node execution paid twice, the balance never went below zero."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest

from tests.conftest import USER_ID
from tests.credits.helpers import assert_ledger_matches_balance, balance, chain, entries, run_graph
from tests.support.runs import create_graph, execute, wait_for


def test_run_node_dying_after_the_charge_is_retried_without_charging_again(
    api, credits_on, priced, monkeypatch
):
    from agentplatform.engine import runner

    real_run = runner.NodeRun.run
    crashed: set[str] = set()

    def die_once(self: Any) -> None:
        if not crashed:
            crashed.add(self.node_exec_id)
            raise ConnectionError("Lambda died after charging")  # Step Functions retries run_node
        real_run(self)

    monkeypatch.setattr(runner.NodeRun, "run", die_once)
    api.get("/api/credits")
    _, run = run_graph(api, chain(2))

    assert run["status"] == "COMPLETED"
    assert len(crashed) == 1
    assert all(n["status"] == "COMPLETED" for n in run["node_executions"])
    usage = [e for e in entries(USER_ID) if e.metadata.get("graph_exec_id") == run["id"]]
    per_node = Counter(e.metadata["node_exec_id"] for e in usage)
    assert len(per_node) == 2 and set(per_node.values()) == {1}
    assert run["stats"]["cost"] == 14
    assert balance(USER_ID) == 1500 - 14
    assert_ledger_matches_balance(USER_ID)


def test_run_node_invoked_again_after_it_finished_charges_nothing(api, credits_on, priced, monkeypatch):
    from agentplatform.engine import launcher
    from functions.graph_run.run_node import handler
    from local.lambdas import invoke

    monkeypatch.setattr(launcher, "start", lambda *args, **kwargs: None)  # drive run_node by hand
    api.get("/api/credits")
    created = create_graph(api, chain(2))
    started = execute(api, created)
    [first] = started["node_executions"]
    event = {"run": {"user_id": USER_ID, "graph_exec_id": started["id"]}, "batch": [first["node_exec_id"]]}
    invoke(handler, event)
    invoke(handler, event)  # a re-run of the same batch
    usage = [e for e in entries(USER_ID) if e.metadata.get("graph_exec_id") == started["id"]]
    assert [e.amount for e in usage] == [-7, -7]  # both nodes of the chain, each once
    assert balance(USER_ID) == 1500 - 14
    assert_ledger_matches_balance(USER_ID)


def test_two_runs_racing_for_the_last_credits(api, settings_env, priced, monkeypatch):
    # Onboarding rewards the first runs of a graph: they would refill the balance mid-race.
    monkeypatch.setattr("agentplatform.onboarding.service.REWARDS", {})
    settings_env(NUM_USER_CREDITS_REFILL="10")
    api.get("/api/credits")
    created = create_graph(api, chain(1))
    first, second = execute(api, created), execute(api, created)  # both pass the 402 check
    runs = [wait_for(api, created["id"], r["id"]) for r in (first, second)]

    assert sorted(r["status"] for r in runs) == ["COMPLETED", "FAILED"]
    failed = next(r for r in runs if r["status"] == "FAILED")
    [node_exec] = failed["node_executions"]
    assert node_exec["output_data"] == {
        "error": ["Insufficient balance of $0.03, where this will cost $0.07"]
    }
    assert balance(USER_ID) == 3
    assert_ledger_matches_balance(USER_ID)


@pytest.mark.parametrize("writers", [8])
def test_concurrent_spenders_never_take_the_balance_below_zero(credits_on, writers):
    from agentplatform.credits.service import CreditService
    from agentplatform.errors import InsufficientBalanceError
    from agentplatform.models.credits import CreditTransactionType
    from local.cloud import LocalCloud

    cloud = LocalCloud(state_dir=None).start()
    try:
        service = CreditService()
        service.add_transaction(USER_ID, 50, CreditTransactionType.GRANT)
        outcomes: list[str] = []
        barrier = threading.Barrier(writers)

        def spend(index: int) -> None:
            barrier.wait()
            for attempt in range(3):
                try:
                    service.add_transaction(
                        USER_ID, -7, CreditTransactionType.USAGE, key=f"spend-{index}-{attempt}"
                    )
                    outcomes.append("paid")
                except InsufficientBalanceError:
                    outcomes.append("refused")

        threads = [threading.Thread(target=spend, args=(i,)) for i in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert outcomes.count("paid") == 7  # 50 // 7
        assert outcomes.count("refused") == writers * 3 - 7
        assert balance(USER_ID) == 50 - 49
        assert_ledger_matches_balance(USER_ID)
    finally:
        cloud.stop()


def test_the_same_transaction_key_never_applies_twice(credits_on):
    from agentplatform.credits.service import CreditService
    from agentplatform.models.credits import CreditTransactionType
    from agentplatform.store.credits import DuplicateTransaction
    from local.cloud import LocalCloud

    cloud = LocalCloud(state_dir=None).start()
    try:
        service = CreditService()
        service.add_transaction(USER_ID, 100, CreditTransactionType.GRANT, key="once")
        with pytest.raises(DuplicateTransaction):
            service.add_transaction(USER_ID, 100, CreditTransactionType.GRANT, key="once")
        assert balance(USER_ID) == 100
        assert_ledger_matches_balance(USER_ID)
    finally:
        cloud.stop()
