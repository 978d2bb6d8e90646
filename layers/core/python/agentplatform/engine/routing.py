"""Routing one output along a node's links into its sinks' input slots (spec §3.2).

Pure: the caller loads each sink's ``SinkState`` and persists the ``RouteResult``
atomically with the output itself (one transaction), which is what makes routing
happen exactly once per output.

Rules, as upstream:
- a value fills the *oldest* waiting (INCOMPLETE) execution of the sink that lacks the
  pin, else opens a new one: N values on one pin give N executions, and values on
  different pins pair up FIFO;
- a waiting execution missing a pin fed by a *static* link borrows that pin from the
  sink's latest queued input;
- a value arriving over a static link also completes every waiting execution that
  lacks that pin;
- an execution is QUEUED once ``validate_exec`` passes, with the merged input.

A sink with a single linked pin needs no state: every value is a new execution.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agentplatform.blocks.block import Block
from agentplatform.blocks.registry import get_block
from agentplatform.engine.pins import parse_execution_output
from agentplatform.engine.readiness import validate_exec
from agentplatform.models.graph import GraphModel, Link, NodeModel


@dataclass
class Pending:
    id: str
    pins: dict[str, Any]


@dataclass
class SinkState:
    """Waiting executions of one node and the latest queued input (for static pins)."""

    version: int = 0
    pending: list[Pending] = field(default_factory=list)
    latest: dict[str, Any] | None = None

    def to_doc(self) -> dict[str, Any]:
        return {"pending": [{"id": p.id, "pins": p.pins} for p in self.pending], "latest": self.latest}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any] | None, version: int) -> SinkState:
        doc = doc or {}
        pending = [Pending(p["id"], dict(p["pins"])) for p in doc.get("pending", [])]
        return cls(version=version, pending=pending, latest=doc.get("latest"))


@dataclass
class NewExecution:
    id: str
    node_id: str
    block_id: str
    queued: bool
    input: dict[str, Any]  # merged input when queued, received pins while waiting


@dataclass
class RouteResult:
    created: list[NewExecution] = field(default_factory=list)
    queued: list[NewExecution] = field(default_factory=list)  # existing waiting ones, now QUEUED
    waiting: list[NewExecution] = field(default_factory=list)  # existing ones with a new pin
    states: dict[str, SinkState] = field(default_factory=dict)  # sink node id -> changed state

    @property
    def queued_ids(self) -> list[str]:
        fresh = [e.id for e in self.created if e.queued]
        return [e.id for e in self.queued] + fresh


def is_stateless_sink(node: NodeModel) -> bool:
    return len({link.sink_name for link in node.input_links}) <= 1


def sinks_needing_state(graph: GraphModel, source: NodeModel) -> set[str]:
    return {link.sink_id for link in source.output_links if not is_stateless_sink(graph.node(link.sink_id))}


class Router:
    def __init__(
        self,
        graph: GraphModel,
        masks: Mapping[str, Mapping[str, Any]],
        new_id: Callable[[], str],
    ):
        self.graph = graph
        self.masks = masks
        self.new_id = new_id

    def route(
        self, source: NodeModel, output: tuple[str, Any], states: Mapping[str, SinkState]
    ) -> RouteResult:
        result = RouteResult()
        name = output[0]
        for link in source.output_links:
            value = parse_execution_output(output, link.source_name, link.sink_id, link.sink_name)
            if value is None and name != link.source_name:
                continue
            sink = self.graph.node(link.sink_id)
            block = get_block(sink.block_id)
            if block is None:
                continue
            if is_stateless_sink(sink):
                result.created.append(self._fresh(sink, block, {link.sink_name: value}))
            else:
                state = result.states.get(sink.id) or _copy(states.get(sink.id) or SinkState())
                result.states[sink.id] = state
                self._fill(sink, block, link, value, state, result)
        return result

    def _check(self, sink: NodeModel, block: Block, pins: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        data = {**pins, **dict(self.masks.get(sink.id, {}))}
        merged, error = validate_exec(sink, block, data)
        return merged, error is None

    def _fresh(self, sink: NodeModel, block: Block, pins: dict[str, Any]) -> NewExecution:
        merged, ready = self._check(sink, block, pins)
        return NewExecution(self.new_id(), sink.id, sink.block_id, ready, merged if ready else pins)

    def _fill(
        self, sink: NodeModel, block: Block, link: Link, value: Any, state: SinkState, result: RouteResult
    ) -> None:
        pin = link.sink_name
        target = next((p for p in state.pending if pin not in p.pins), None)
        is_new = target is None
        if target is None:
            target = Pending(self.new_id(), {})
            state.pending.append(target)
        target.pins[pin] = value
        self._borrow_static(sink, target, state)
        candidates = [(target, is_new)]
        if link.is_static:
            for waiting in state.pending:
                if waiting is not target and pin not in waiting.pins:
                    waiting.pins[pin] = value
                    candidates.append((waiting, False))
        for pending, created in candidates:
            self._settle(sink, block, pending, created, state, result)

    def _borrow_static(self, sink: NodeModel, pending: Pending, state: SinkState) -> None:
        if not state.latest:
            return
        for link in sink.input_links:
            if link.is_static and link.sink_name not in pending.pins and link.sink_name in state.latest:
                pending.pins[link.sink_name] = state.latest[link.sink_name]

    def _settle(
        self,
        sink: NodeModel,
        block: Block,
        pending: Pending,
        created: bool,
        state: SinkState,
        result: RouteResult,
    ) -> None:
        merged, ready = self._check(sink, block, pending.pins)
        created = created or any(e.id == pending.id for e in result.created)
        execution = NewExecution(pending.id, sink.id, sink.block_id, ready, merged if ready else pending.pins)
        if ready:
            state.pending.remove(pending)
            state.latest = dict(pending.pins)
        _replace(result.created if created else (result.queued if ready else result.waiting), execution)
        if not created and ready:
            result.waiting[:] = [e for e in result.waiting if e.id != execution.id]


def _replace(items: list[NewExecution], execution: NewExecution) -> None:
    for index, existing in enumerate(items):
        if existing.id == execution.id:
            items[index] = execution
            return
    items.append(execution)


def _copy(state: SinkState) -> SinkState:
    return SinkState(
        version=state.version,
        pending=[Pending(p.id, dict(p.pins)) for p in state.pending],
        latest=None if state.latest is None else dict(state.latest),
    )


def merge_routes(first: RouteResult, then: RouteResult) -> RouteResult:
    """Two successive routings as one (for a single transaction): an execution created
    by the first and completed by the second is simply created QUEUED."""
    merged = RouteResult(
        created=list(first.created),
        queued=list(first.queued),
        waiting=list(first.waiting),
        states={**first.states, **then.states},
    )
    merged.created.extend(then.created)
    for execution in then.queued + then.waiting:
        index = next((i for i, e in enumerate(merged.created) if e.id == execution.id), None)
        if index is not None:
            merged.created[index] = execution
            continue
        merged.waiting = [e for e in merged.waiting if e.id != execution.id]
        _replace(merged.queued if execution.queued else merged.waiting, execution)
    return merged


def operation_count(route: RouteResult) -> int:
    """Transaction operations to persist ``route`` plus the source's own update."""
    return 1 + len(route.states) + len(route.created) + len(route.queued) + len(route.waiting)
