"""``run_node``: run a batch of node executions, recording and routing every output.

A batch is worked through locally: successors a node queues are run in the same
invocation while time remains and the local queue either stays no larger than the batch
it started with or holds one group of dependent work (``engine/grouping.py``: a mesh,
a node's executions in queue order), so a chain or a mesh costs one invocation, while
independent fan-out goes back to ``plan`` to be spread over parallel invocations.
Routing state is shared by the batch's node executions (``SinkStates``).

Idempotent under retries: outputs are committed in groups, each group in one
transaction together with its routing, guarded on the node's output count, so a retried
invocation skips what an earlier attempt already recorded (blocks are assumed to yield
the same sequence).
A node finished by an earlier attempt contributes the executions it queued then.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from agentplatform.blocks.block import Block, BlockType
from agentplatform.blocks.registry import get_block
from agentplatform.engine.charging import charge_before_run
from agentplatform.engine.context import RunContext, load_context
from agentplatform.engine.grouping import groups, node_indices, territories
from agentplatform.engine.readiness import validate_exec
from agentplatform.engine.review import gate, safe_modes
from agentplatform.engine.routing import (
    Router,
    RouteResult,
    SinkState,
    merge_routes,
    operation_count,
    sinks_needing_state,
)
from agentplatform.models.execution import TERMINAL, ExecutionStatus
from agentplatform.models.graph import NodeModel
from agentplatform.observability import bind
from agentplatform.store import values
from agentplatform.store.executions import OutputConflict, RunRef, node_input, now
from agentplatform.store.table import unpack

DEFAULT_BUDGET_SECONDS = 60.0
# Outputs are committed in groups: a group is one transaction (output, routing and,
# at the end, the final status). Flushed at this many outputs, after this long, or
# when the transaction would pass DynamoDB's 100 operations.
MAX_BUFFERED_OUTPUTS = 50
FLUSH_SECONDS = 1.0
_TRANSACTION_OPS = 100
# Ids returned to Step Functions (256 KB for all of a wave's results; ~40 bytes an id):
# past this, queued ids are spilled to the table (``ExecutionRepository.spill_work``).
RETURN_IDS_MAX = 200
_CONFLICT_RETRIES = 20


class _Abandon(Exception):
    """The node is no longer ours to write (stopped, or finished by an earlier attempt)."""


@dataclass
class BatchResult:
    queued: list[str] = field(default_factory=list)
    nodes: list[int] = field(default_factory=list)  # each queued id's node (graph.nodes index, -1: unknown)
    returned: int = 0  # how many of ``queued`` (its head) are this batch's own ids, not run
    spilled: list[str] = field(default_factory=list)  # chunks of further queued ids, in order
    waiting: list[str] = field(default_factory=list)  # nodes waiting on a sub-graph run
    reviewing: list[str] = field(default_factory=list)  # nodes paused for human review
    overflow: bool = False  # more queued than a payload should carry: plan reads the table
    ran: int = 0  # node executions claimed (towards the run's MAX_NODE_EXECUTIONS_PER_RUN)

    def as_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"queued": self.queued, "waiting": self.waiting, "ran": self.ran}
        if self.reviewing:
            payload["reviewing"] = self.reviewing
        if self.overflow:
            return {**payload, "queued": [], "overflow": True}
        if self.nodes:
            payload["nodes"] = self.nodes
        if self.returned:
            payload["returned"] = self.returned
        if self.spilled:
            payload["spilled"] = self.spilled
        return payload


class SinkStates:
    """The routing state of sinks with several linked pins, shared by a batch's node
    executions: read in one request for the whole territory of the first node that
    needs any, then kept current from what this batch commits. A sink another batch
    changed meanwhile (a shared leaf) fails the commit's version check and is re-read."""

    READ_MAX = 100  # keys in one BatchGetItem

    def __init__(self, ctx: RunContext):
        self.ctx = ctx
        self.known: dict[str, SinkState] = {}

    def get(self, node: NodeModel) -> dict[str, SinkState]:
        wanted = sinks_needing_state(self.ctx.graph, node)
        missing = wanted - self.known.keys()
        if missing:
            extra = [s for s in self._territory_sinks(node) if s not in self.known and s not in missing]
            read = sorted(missing) + extra[: max(0, self.READ_MAX - len(missing))]
            self.known.update(self.ctx.repo.sink_states(self.ctx.ref, read))
        return {node_id: self.known[node_id] for node_id in wanted}

    def _territory_sinks(self, node: NodeModel) -> list[str]:
        graph = self.ctx.graph
        reached = [graph.node(node_id) for node_id in territories(graph).get(node.id, ())]
        return sorted({sink for source in reached for sink in sinks_needing_state(graph, source)})

    def committed(self, states: dict[str, SinkState]) -> None:
        for node_id, state in states.items():
            state.version += 1
            self.known[node_id] = state

    def forget(self, node: NodeModel) -> None:
        for node_id in sinks_needing_state(self.ctx.graph, node):
            self.known.pop(node_id, None)


def _jsonable(value: Any) -> Any:
    from pydantic_core import to_jsonable_python

    return to_jsonable_python(value, fallback=str)


def _fail_node(ctx: RunContext, item: dict[str, Any], error: str) -> None:
    NodeRun(ctx, item).replay([("error", error)], ExecutionStatus.FAILED)


class NodeRun:
    """One node execution: run the block, commit each output with its routing."""

    def __init__(self, ctx: RunContext, item: dict[str, Any], states: SinkStates | None = None):
        self.ctx = ctx
        self.item = item
        self.node: NodeModel = ctx.graph.node(item["node_id"])
        self.block: Block | None = get_block(item["block_id"])
        self.outputs: dict[str, list[Any]] = unpack(item["output"]) if item.get("output") else {}
        self.recorded = int(item.get("out_n", 0))
        self.queued: list[str] = list(item.get("queued") or [])
        self.queued_nodes: dict[str, str] = {}  # node of each id queued by this attempt
        self.router = Router(ctx.graph, ctx.masks, lambda: str(uuid.uuid4()))
        self.states = states or SinkStates(ctx)
        self.buffer: list[tuple[str, Any]] = []
        self.buffer_since = 0.0
        self.stats: dict[str, Any] | None = None  # block-reported stats, written with the final status
        self.extra_kwargs: dict[str, Any] = {}  # from the review gate (engine/review.py)
        self.paused = False  # waiting for human review: no output, no final status

    @property
    def node_exec_id(self) -> str:
        return str(self.item["node_exec_id"])

    # -- committing

    def emit(self, output: tuple[str, Any]) -> None:
        """Buffer an output; outputs are committed in groups (see ``MAX_BUFFERED_OUTPUTS``).
        A run that has ended takes no more: the block is abandoned between outputs."""
        if self.ctx.ended():
            raise _Abandon()
        if not self.buffer:
            self.buffer_since = time.monotonic()
        self.buffer.append(output)
        if len(self.buffer) >= MAX_BUFFERED_OUTPUTS or time.monotonic() - self.buffer_since >= FLUSH_SECONDS:
            self.commit(self.buffer, None)
            self.buffer = []

    def commit(self, outputs: list[tuple[str, Any]], final: ExecutionStatus | None) -> None:
        """Record ``outputs`` in yield order, each routed, in as few transactions as fit;
        ``final`` (if any) goes with the last one."""
        remaining = list(outputs)
        for _ in range(_CONFLICT_RETRIES):
            try:
                while True:
                    taken = self._commit_once(remaining, final)
                    remaining = remaining[taken:]
                    if not remaining:
                        return
            except OutputConflict:
                self.states.forget(self.node)  # another branch routed into a shared sink: reload
        raise RuntimeError(f"node execution {self.node_exec_id}: routing kept conflicting")

    def _commit_once(self, pending: list[tuple[str, Any]], final: ExecutionStatus | None) -> int:
        outputs = {k: list(v) for k, v in self.outputs.items()}
        view = self.states.get(self.node) if pending else {}
        route = RouteResult()
        taken = 0
        for name, value in pending:
            step = self.router.route(self.node, (name, value), view)
            combined = merge_routes(route, step)
            if taken and operation_count(combined) > _TRANSACTION_OPS:
                break
            route, taken = combined, taken + 1
            view.update(step.states)
            outputs.setdefault(name, []).append(values.spill(value, self.ctx.ref.graph_exec_id))
        last = taken == len(pending)
        queued = self.queued + route.queued_ids
        ok = self.ctx.repo.commit_output(
            self.ctx.ref,
            self.ctx.run,
            self.node_exec_id,
            prior=self.recorded,
            out_n=self.recorded + taken,
            outputs=outputs,
            queued=queued,
            route=route,
            final=(final, now()) if final is not None and last else None,
            stats=self.stats if final is not None and last else None,
        )
        if not ok:
            raise _Abandon()
        self.outputs, self.recorded, self.queued = outputs, self.recorded + taken, queued
        self.queued_nodes.update((e.id, e.node_id) for e in route.created + route.queued if e.queued)
        self.states.committed(route.states)
        return max(taken, 1) if pending else 1

    # -- running

    def _kwargs(self) -> dict[str, Any]:
        run = self.ctx.run
        return {
            "graph_id": run["graph_id"],
            "graph_version": run["graph_version"],
            "node_id": self.node.id,
            "graph_exec_id": self.ctx.ref.graph_exec_id,
            "node_exec_id": self.node_exec_id,
            "user_id": self.ctx.ref.user_id,
            "execution_context": {
                "root_execution_id": run.get("root_id") or run["id"],
                # whose partition holds the graph: the creator's for a marketplace agent
                "graph_owner_id": run.get("graph_owner_id") or self.ctx.ref.user_id,
                **safe_modes(run),
            },
        }

    async def _run_block(self, data: dict[str, Any]) -> ExecutionStatus:
        assert self.block is not None
        index = 0
        status = ExecutionStatus.COMPLETED
        from agentplatform.blocks.stats import start_collecting
        from agentplatform.integrations.resolve import resolve_fresh_node_credentials

        stats = start_collecting()  # this coroutine runs as its own task: the collector stays in it
        try:
            credentials = await resolve_fresh_node_credentials(self.ctx.ref.user_id, self.block, data)
            kwargs = {**self._kwargs(), **credentials, **self.extra_kwargs}
            async for name, value in self.block.execute(data, **kwargs):
                index += 1
                if index <= self.recorded:
                    continue  # committed by an earlier attempt
                self.emit((name, _jsonable(value)))
        except _Abandon:
            raise
        except Exception as exc:
            index += 1
            status = ExecutionStatus.FAILED
            if index > self.recorded:
                self.buffer.append(("error", str(exc) or type(exc).__name__))
        self.stats = {k: v for k, v in stats.as_dict().items() if v} or None
        # The last outputs are written together with the final status: one write fewer.
        self.commit(self.buffer, status)
        self.buffer = []
        return status

    def replay(
        self, outputs: list[tuple[str, Any]], status: ExecutionStatus, stats: dict[str, int] | None = None
    ) -> None:
        """Record outputs produced elsewhere (a sub-graph run) as this node's own."""
        self.stats = {k: v for k, v in (stats or {}).items() if v} or None
        self.commit(outputs[self.recorded :], status)

    def run(self) -> None:
        if self.block is None:
            self.commit([("error", f"Block #{self.item['block_id']} not found.")], ExecutionStatus.FAILED)
            return
        data, error = validate_exec(self.node, self.block, node_input(self.item), resolve_input=False)
        if error:  # upstream: an input problem found at run time completes with an error output
            self.commit([("error", error)], ExecutionStatus.COMPLETED)
            return
        from agentplatform.integrations.resolve import should_skip_node

        if should_skip_node(self.block, self.node.metadata, data):
            self.commit([], ExecutionStatus.COMPLETED)  # optional credentials missing: skipped
            return
        review = gate(self.ctx, self.item, self.block, data)  # human in the loop: engine/review.py
        if review.paused:
            self.paused = True
            return
        if review.error is not None:
            self.commit([("error", review.error)], ExecutionStatus.FAILED)
            return
        data, self.extra_kwargs = review.data, review.kwargs
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._run_block(data))
        finally:
            loop.close()


def _start(
    ctx: RunContext, node_exec_id: str, result: BatchResult
) -> tuple[dict[str, Any] | None, list[str]]:
    """Claim a node execution; if it is already finished, the executions it queued."""
    item = ctx.repo.start_node(ctx.ref, node_exec_id)
    if item is not None:
        return item, []
    done = ctx.repo.get_node_execs(ctx.ref, [node_exec_id])
    if done and ExecutionStatus(done[0]["status"]) in TERMINAL:
        result.overflow = result.overflow or bool(done[0].get("queued_overflow"))
        return None, list(done[0].get("queued") or [])
    return None, []


def run_batch(
    ref: RunRef,
    batch: list[str],
    *,
    budget_seconds: float = DEFAULT_BUDGET_SECONDS,
    max_runs: int | None = None,
    run_deadline: float | None = None,
) -> BatchResult:
    """Run ``batch`` and what it queues locally; at most ``max_runs`` node executions
    (the batch's share of the run's node-execution budget; None: no limit), and none
    after ``run_deadline`` (epoch seconds), so plan can end a run that outlives it."""
    ctx = load_context(ref)
    result = BatchResult()
    if ctx is None or ExecutionStatus(ctx.run["status"]) in TERMINAL:
        return result
    local = deque(batch)
    limit = max(len(batch), 1)
    if run_deadline is not None:
        budget_seconds = min(budget_seconds, run_deadline - time.time())
    deadline = time.monotonic() + budget_seconds
    seen: set[str] = set()
    node_of: dict[str, str] = {}  # the node of each id this batch queued
    own = set(batch)
    states = SinkStates(ctx)
    while local and time.monotonic() < deadline:
        if (max_runs is not None and result.ran >= max_runs) or ctx.ended():
            break
        if len(local) > limit and _spreadable(ctx, [i for i in local if i not in own], node_of):
            break
        node_exec_id = local.popleft()
        if node_exec_id in seen:
            continue
        seen.add(node_exec_id)
        bind(node_exec_id=node_exec_id)  # this invocation's log lines name the node it runs
        item, already_queued = _start(ctx, node_exec_id, result)
        local.extend(already_queued)
        if item is None:
            continue
        result.ran += 1
        if not charge_before_run(ctx, item):  # credits, before the block runs: engine/charging.py
            continue
        if _is_agent(item):
            from agentplatform.engine.subgraphs import start_child

            start_child(ctx, item, fail=partial(_fail_node, ctx, item))
            result.waiting.append(node_exec_id)
            continue
        node_run = NodeRun(ctx, item, states)
        try:
            node_run.run()
        except _Abandon:
            continue
        if node_run.paused:
            result.reviewing.append(node_exec_id)
        local.extend(node_run.queued)
        node_of.update(node_run.queued_nodes)
    if ctx.ended(max_age=0):
        return _after_end(ctx)
    _hand_back(ctx, result, list(local), [node_of.get(i) for i in local], own)
    return result


def _hand_back(
    ctx: RunContext, result: BatchResult, queued: list[str], nodes: list[str | None], own: set[str]
) -> None:
    """What is left for plan: this batch's own ids not run (older than anything plan
    holds, so they go first), then what it queued; past ``RETURN_IDS_MAX``, spilled."""
    while result.returned < len(queued) and queued[result.returned] in own:
        result.returned += 1
    indices = node_indices(ctx.graph, nodes)
    keep = max(RETURN_IDS_MAX, result.returned)
    result.queued, result.nodes = queued[:keep], indices[:keep]
    if len(queued) > keep:
        result.spilled = ctx.repo.spill_work(ctx.ref, queued[keep:], indices[keep:])


def _spreadable(ctx: RunContext, queued: list[str], node_of: dict[str, str]) -> bool:
    """Whether ``queued`` splits into independent groups (``engine/grouping.py``) that
    parallel batches could share; one group (a mesh, a node's executions in queue order)
    stays here. An id of unknown node (queued by an earlier attempt) stands alone."""
    return len(groups(ctx.graph, [node_of.get(i) for i in queued])) > 1


def _after_end(ctx: RunContext) -> BatchResult:
    """The run ended (stopped, or failed) while this batch ran: nobody will plan again, so
    what this batch and its siblings queued since the stop's own sweep is TERMINATED here."""
    ctx.repo.terminate_unfinished(ctx.ref, ctx.repo.node_execs(ctx.ref))
    return BatchResult()


def _is_agent(item: dict[str, Any]) -> bool:
    block = get_block(item["block_id"])
    return block is not None and block.block_type == BlockType.AGENT


def fail_batch(ref: RunRef, batch: list[str], error: str) -> BatchResult:
    """After retries are exhausted: every unfinished node of the batch (and of what it
    queued locally) ends FAILED with an ``error`` output; finished ones pass on what
    they queued."""
    ctx = load_context(ref)
    result = BatchResult()
    if ctx is None:
        return result
    if ctx.ended(max_age=0):
        return _after_end(ctx)
    local = deque(batch)
    seen: set[str] = set()
    while local:
        node_exec_id = local.popleft()
        if node_exec_id in seen:
            continue
        seen.add(node_exec_id)
        items = ctx.repo.get_node_execs(ref, [node_exec_id])
        if not items:
            continue
        item = items[0]
        status = ExecutionStatus(item["status"])
        if status in TERMINAL:
            local.extend(item.get("queued") or [])
        elif status == ExecutionStatus.QUEUED and node_exec_id not in batch:
            result.queued.append(node_exec_id)
        else:
            if status != ExecutionStatus.RUNNING:
                item = ctx.repo.start_node(ref, node_exec_id) or item
            node_run = NodeRun(ctx, item)
            try:
                node_run.commit([("error", error)], ExecutionStatus.FAILED)
            except _Abandon:
                continue
            result.queued.extend(node_run.queued)
    return result
