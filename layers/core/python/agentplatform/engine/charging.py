"""Charging a node execution for credits before its block runs (spec §3.8).

Two charges, as upstream: the block's cost (the first ``BlockCost`` whose filter
matches the input) and, every ``EXECUTION_COST_COUNT_THRESHOLD``-th node execution of a
user (per UTC day), ``EXECUTION_COST_PER_THRESHOLD`` credits. Both are ledger entries
keyed by the node execution id, written in one transaction with the balance, the
user's execution counter and a ``charged`` mark on the node execution: a Step Functions
retry or a re-run of ``run_node`` finds the mark and charges nothing twice.

A node execution that costs nothing and is not the Nth only counts (one conditional
update); one that pays costs one transaction. Insufficient balance: the node ends FAILED
with an ``error`` output naming balance and cost, and the run ends FAILED. With
``ENABLE_CREDIT=false`` nothing is charged and nothing is read or written.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from datetime import UTC, datetime
from typing import Any

from agentplatform.blocks.block import Block, BlockCostType
from agentplatform.blocks.registry import get_block
from agentplatform.config import get_settings
from agentplatform.engine.context import RunContext
from agentplatform.engine.routing import RouteResult
from agentplatform.errors import InsufficientBalanceError
from agentplatform.models.credits import CreditTransactionType, UsageTransactionMetadata
from agentplatform.models.execution import ExecutionStatus
from agentplatform.notifications.producers import balance_charged, balance_insufficient
from agentplatform.store.credits import (
    CreditStore,
    DuplicateTransaction,
    Entry,
    ExtraConditionFailed,
    Snapshot,
    StaleBalance,
    TransactionConflict,
    node_charge_op,
)
from agentplatform.store.executions import node_input, now
from agentplatform.store.table import unpack

logger = logging.getLogger(__name__)

_ATTEMPTS = 40
_BACKOFF_CAP_SECONDS = 0.2
# The last balance snapshot seen per user: a guess that the balance's version condition
# verifies, so a warm run_node usually charges in one request.
_snapshots: dict[str, Snapshot] = {}
_snapshots_lock = threading.Lock()


# -- what a node execution costs


def is_cost_filter_match(cost_filter: Any, input_data: Any) -> bool:
    """A filter dict matches when it is a subset of the input, recursively; undefined,
    None and "" count as equal (upstream's rules)."""
    if not isinstance(cost_filter, dict) or not isinstance(input_data, dict):
        return bool(cost_filter == input_data)
    return all(
        (not input_data.get(k) and not v)
        or (bool(input_data.get(k)) and is_cost_filter_match(v, input_data[k]))
        for k, v in cost_filter.items()
    )


def block_usage_cost(block: Block, input_data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """(cost, matching filter). Charged before the block runs, so run time and data size
    are 0 then and only RUN costs amount to anything (as upstream)."""
    for cost in block.costs:
        if is_cost_filter_match(cost.cost_filter, input_data):
            return (cost.cost_amount if cost.cost_type == BlockCostType.RUN else 0), dict(cost.cost_filter)
    return 0, {}


def _cost_input(ctx: RunContext, item: dict[str, Any], block: Block) -> dict[str, Any]:
    """The input the block will run with: schema defaults, node defaults, then the
    execution's own input (spilled values stay references: no filter names them)."""
    defaults = {
        name: info.default
        for name, info in block.input_schema.model_fields.items()
        if not info.is_required() and info.default is not None
    }
    return {**defaults, **ctx.graph.node(item["node_id"]).input_default, **node_input(item, load=False)}


# -- charging


def charge_before_run(ctx: RunContext, item: dict[str, Any]) -> bool:
    """Charge a claimed node execution. False: it could not be paid for and has been
    failed (as has the run); the caller must not run it."""
    settings = get_settings()
    if not settings.enable_credit or item.get("charged") is not None:
        return True
    if ctx.run.get("error"):  # this run already stopped for want of credits
        _fail_node(ctx, item, str(ctx.run["error"]))
        return False
    block = get_block(item["block_id"])
    if block is None:
        return True  # the runner reports the missing block
    try:
        _charge(ctx, item, block)
    except InsufficientBalanceError as exc:
        balance_insufficient(ctx.ref.user_id, ctx.graph.id, ctx.graph.name, exc)
        _fail_node(ctx, item, str(exc))
        _fail_run(ctx, str(exc))
        return False
    return True


def _charge(ctx: RunContext, item: dict[str, Any], block: Block) -> int:
    settings = get_settings()
    store = CreditStore(ctx.repo.table)
    user_id = ctx.ref.user_id
    day = datetime.now(UTC).date().isoformat()
    threshold = settings.execution_cost_count_threshold
    usage = _usage_entry(ctx, item, block)
    billing = False  # whether this execution is the Nth and pays the execution cost
    for attempt in range(_ATTEMPTS):
        entries = ([usage] if usage else []) + ([_execution_entry(ctx, item)] if billing else [])
        try:
            if not entries:
                if store.count_execution(user_id, day, threshold):
                    return 0
                billing = True
                continue
            total = -sum(entry.amount for entry in entries)
            snapshot = _affordable(store, user_id, total)
            counter = store.counter_op(user_id, day, threshold, billing=billing)
            marker = node_charge_op(ctx.ref.pk, item["node_exec_id"], total)
            new = store.write(user_id, snapshot, entries, extra_ops=[counter, marker])
        except StaleBalance as stale:  # another charge of this user won the race
            _remember(user_id, stale.current)
            _back_off(attempt)
            continue
        except ExtraConditionFailed as refused:
            if refused.index == 1:
                return 0  # marked by an earlier attempt: charged already
            billing = not billing  # the counter says otherwise: this is (not) the Nth
            continue
        except DuplicateTransaction:
            return 0  # the entries exist: an earlier attempt charged this execution
        except TransactionConflict:
            _back_off(attempt + 1)
            continue
        _remember(user_id, new)
        balance_charged(user_id, new.balance, total, item["node_exec_id"])
        _maybe_auto_top_up(ctx, new)
        return total
    raise RuntimeError(f"node execution {item['node_exec_id']}: could not charge credits")


def _back_off(attempt: int) -> None:
    """Full jitter, growing: parallel charges of one user spread out instead of colliding
    again (the first retry, with the fresh balance, goes at once)."""
    if attempt:
        time.sleep(random.uniform(0, min(_BACKOFF_CAP_SECONDS, 0.005 * 2**attempt)))


def _usage_entry(ctx: RunContext, item: dict[str, Any], block: Block) -> Entry | None:
    cost, matched = block_usage_cost(block, _cost_input(ctx, item, block))
    if cost <= 0:
        return None
    metadata = UsageTransactionMetadata(
        graph_exec_id=ctx.ref.graph_exec_id,
        graph_id=ctx.run["graph_id"],
        node_exec_id=item["node_exec_id"],
        node_id=item["node_id"],
        block_id=block.id,
        block=block.name,
        input=matched,
        reason=f"Ran block {block.id} {block.name}",
    )
    return Entry(f"USAGE-{item['node_exec_id']}", CreditTransactionType.USAGE, -cost, metadata.model_dump())


def _execution_entry(ctx: RunContext, item: dict[str, Any]) -> Entry:
    settings = get_settings()
    count = settings.execution_cost_count_threshold
    graph_exec_id, graph_id = ctx.ref.graph_exec_id, ctx.run["graph_id"]
    metadata = UsageTransactionMetadata(
        graph_exec_id=graph_exec_id,
        graph_id=graph_id,
        node_exec_id=item["node_exec_id"],
        input={"execution_count": count, "charge": "Execution Cost"},
        reason=f"Execution Cost for {count} blocks of ex_id:{graph_exec_id} g_id:{graph_id}",
    )
    return Entry(
        f"EXECUTION-COST-{item['node_exec_id']}",
        CreditTransactionType.USAGE,
        -settings.execution_cost_per_threshold,
        metadata.model_dump(),
    )


def _affordable(store: CreditStore, user_id: str, cost: int) -> Snapshot:
    """The snapshot to charge ``cost`` against; a remembered one that looks too poor is
    re-read before the charge is refused."""
    snapshot = _snapshots.get(user_id)
    if snapshot is None or snapshot.balance < cost:
        snapshot = store.snapshot(user_id)
        _remember(user_id, snapshot)
    if snapshot.balance < cost:
        raise InsufficientBalanceError.for_charge(user_id, snapshot.balance, cost)
    return snapshot


def _remember(user_id: str, snapshot: Snapshot) -> None:
    with _snapshots_lock:
        if len(_snapshots) > 10_000:
            _snapshots.clear()
        _snapshots[user_id] = snapshot


def _maybe_auto_top_up(ctx: RunContext, snapshot: Snapshot) -> None:
    """Below the user's auto top-up threshold after a charge: top up, at most once per run
    (the top-up is keyed by the run). A failed top-up never fails the node."""
    config = snapshot.top_up
    if config is None or not config.threshold or snapshot.balance >= config.threshold:
        return
    from agentplatform.credits.service import auto_top_up

    try:
        auto_top_up(ctx.ref.user_id, ctx.ref.graph_exec_id, config)
    except Exception as exc:
        logger.warning("auto top-up failed for user %s: %s", ctx.ref.user_id, type(exc).__name__)
    _snapshots.pop(ctx.ref.user_id, None)


# -- failing for want of credits


def _fail_node(ctx: RunContext, item: dict[str, Any], error: str) -> None:
    """The node ends FAILED with an ``error`` output, not routed (upstream does not
    enqueue anything after a failed charge)."""
    outputs = unpack(item["output"]) if item.get("output") else {}
    outputs.setdefault("error", []).append(error)
    recorded = int(item.get("out_n", 0))
    ctx.repo.commit_output(
        ctx.ref,
        ctx.run,
        item["node_exec_id"],
        prior=recorded,
        out_n=recorded + 1,
        outputs=outputs,
        queued=[],
        route=RouteResult(),
        final=(ExecutionStatus.FAILED, now()),
    )


def _fail_run(ctx: RunContext, error: str) -> None:
    """Mark the run: every node claimed after this fails unrun, and finalize ends the
    run FAILED with ``error`` in its stats (as upstream)."""
    ctx.run["error"] = error
    ctx.repo.set_run_fields(ctx.ref, error=error)
