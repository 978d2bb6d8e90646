"""The engine charges each node execution before it runs (spec §3.8): block cost by
filter, the every-Nth-execution cost, insufficient balance mid-run, stats.cost."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import USER_ID
from tests.credits.helpers import assert_ledger_matches_balance, balance, chain, entries, run_graph
from tests.support.graphs import STORE_VALUE, link, node
from tests.support.runs import AGENT_EXECUTOR, create_graph


def _usage(graph_exec_id: str) -> list[Any]:
    return [e for e in entries(USER_ID) if e.metadata.get("graph_exec_id") == graph_exec_id]


# -- cost filters (upstream's rules)


@pytest.mark.parametrize(
    ("cost_filter", "input_data", "matches"),
    [
        ({}, {"anything": 1}, True),
        ({"model": "gpt-4o"}, {"model": "gpt-4o", "prompt": "x"}, True),
        ({"model": "gpt-4o"}, {"model": "claude"}, False),
        ({"model": "gpt-4o"}, {}, False),
        ({"model": None}, {}, True),  # undefined, None and "" are equal
        ({"model": ""}, {"model": None}, True),
        ({"model": None}, {"model": "gpt-4o"}, False),
        ({"type": {"mode": "fast"}}, {"type": {"mode": "fast", "n": 2}}, True),  # a subset, recursively
        ({"type": {"mode": "fast"}}, {"type": {"mode": "slow"}}, False),
        ({"n": 3}, {"n": 3}, True),
        ("exact", "exact", True),
    ],
)
def test_cost_filter_is_a_recursive_subset_match(cost_filter, input_data, matches):
    from agentplatform.engine.charging import is_cost_filter_match

    assert is_cost_filter_match(cost_filter, input_data) is matches


def test_first_matching_run_cost_wins_and_other_cost_types_charge_nothing_up_front():
    from agentplatform.blocks.block import BlockCost, BlockCostType
    from agentplatform.blocks.registry import get_block
    from agentplatform.engine.charging import block_usage_cost

    block = get_block(STORE_VALUE)
    assert block is not None
    costs = [
        BlockCost(3, {"input": "a"}),
        BlockCost(9, {"input": "a"}),
        BlockCost(5, {"input": "b"}, BlockCostType.SECOND),
    ]
    original = block.costs
    try:
        block.costs = costs
        assert block_usage_cost(block, {"input": "a"}) == (3, {"input": "a"})
        assert block_usage_cost(block, {"input": "b"}) == (0, {"input": "b"})  # run time is 0 before the run
        assert block_usage_cost(block, {"input": "c"}) == (0, {})
    finally:
        block.costs = original


# -- charging runs


def test_each_node_pays_its_matching_cost_once_and_stats_cost_is_the_sum(api, credits_on, priced):
    graph = {
        "name": "mixed",
        "nodes": [
            node("paid", STORE_VALUE, input="paid"),
            node("cheap", STORE_VALUE, input="cheap"),
            node("free", STORE_VALUE, input="free"),
        ],
        "links": [],
    }
    api.get("/api/credits")  # the month's refill: 1500
    created, run = run_graph(api, graph)
    assert run["status"] == "COMPLETED"
    assert run["stats"]["cost"] == 9
    usage = _usage(run["id"])
    assert sorted(e.amount for e in usage) == [-7, -2]
    paid = next(e for e in usage if e.amount == -7)
    assert paid.key.startswith("USAGE-")
    assert paid.metadata["input"] == {"input": "paid"}
    assert paid.metadata["reason"] == f"Ran block {STORE_VALUE} StoreValueBlock"
    assert paid.metadata["graph_id"] == created["id"]
    assert balance(USER_ID) == 1500 - 9
    assert_ledger_matches_balance(USER_ID)
    history = api.get("/api/credits/transactions").json()["transactions"]
    [row] = [t for t in history if t["usage_execution_id"] == run["id"]]
    assert (row["amount"], row["usage_node_count"], row["transaction_type"]) == (-9, 2, "USAGE")
    assert row["description"] == f"Graph #{created['id'][:8]} Execution"


def test_every_nth_node_execution_costs_one_credit(api, settings_env):
    settings_env(EXECUTION_COST_COUNT_THRESHOLD="4")
    api.get("/api/credits")
    _, run = run_graph(api, chain(9, value="free"))
    assert run["status"] == "COMPLETED"
    usage = _usage(run["id"])
    assert [e.amount for e in usage] == [-1, -1]  # the 4th and the 8th
    assert all(e.key.startswith("EXECUTION-COST-") for e in usage)
    assert usage[0].metadata["input"] == {"execution_count": 4, "charge": "Execution Cost"}
    assert (
        usage[0].metadata["reason"]
        == f"Execution Cost for 4 blocks of ex_id:{run['id']} g_id:{run['graph_id']}"
    )
    assert run["stats"]["cost"] == 2
    _, second = run_graph(api, chain(3, value="free"))  # the count goes on across runs: 10, 11, 12
    assert [e.amount for e in _usage(second["id"])] == [-1]
    assert_ledger_matches_balance(USER_ID)


def test_credits_off_charges_nothing(api, priced):
    _, run = run_graph(api, chain(3))
    assert run["status"] == "COMPLETED"
    assert run["stats"]["cost"] == 0
    assert entries(USER_ID) == []


def test_insufficient_balance_mid_run_fails_the_node_and_therun_graph(api, settings_env, priced):
    settings_env(NUM_USER_CREDITS_REFILL="10")
    created, run = run_graph(api, chain(3))
    assert run["status"] == "FAILED"
    by_node = {n["node_id"]: n for n in run["node_executions"]}
    first, second = (by_node[created["nodes"][i]["id"]] for i in (0, 1))
    assert first["status"] == "COMPLETED"
    assert second["status"] == "FAILED"
    message = "Insufficient balance of $0.03, where this will cost $0.07"
    assert second["output_data"] == {"error": [message]}
    assert created["nodes"][2]["id"] not in by_node  # nothing ran after it
    assert run["stats"]["cost"] == 7
    assert run["stats"]["error"] == message
    assert balance(USER_ID) == 3
    assert_ledger_matches_balance(USER_ID)


def test_a_sub_graphs_charges_count_towards_the_parentrun_graph(api, credits_on, priced):
    from tests.support.graphs import AGENT_INPUT

    child = create_graph(
        api,
        {
            "name": "child",
            "nodes": [node("in", AGENT_INPUT, name="x"), node("a", STORE_VALUE), node("b", STORE_VALUE)],
            "links": [link("in", "result", "a", "input"), link("a", "output", "b", "input")],
        },
    )
    parent = {
        "name": "parent",
        "nodes": [
            node("start", STORE_VALUE, input="paid"),
            node(
                "agent",
                AGENT_EXECUTOR,
                graph_id=child["id"],
                graph_version=child["version"],
                input_schema=child["input_schema"],
                output_schema=child["output_schema"],
            ),
        ],
        "links": [link("start", "output", "agent", "x")],
    }
    api.get("/api/credits")
    _, run = run_graph(api, parent)
    assert run["status"] == "COMPLETED"
    assert run["stats"]["cost"] == 7 + 7 + 7  # its own node, then the child's two
    assert balance(USER_ID) == 1500 - 21
    assert_ledger_matches_balance(USER_ID)
