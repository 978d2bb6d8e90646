"""Which queued node executions must share a batch: whole sub-DAGs, and a node's
executions in queue order.

A batch runs its ids and then, locally, what they queue (``engine/runner.py``). Two
batches of one wave run in parallel, so if both could reach the same node, that node's
executions could run side by side and route their outputs out of queue order, while
AutoGPT routes a node's outputs execution by execution, in queue order (per-pin FIFO,
spec §3). And a node whose parents are split over batches makes each wave stop at it.

So executions whose *territories* (the nodes reachable from theirs, their own
included) share a node that routes anywhere are kept in one group, and a group is
never split. A node with no output links (a leaf) routes nothing, so its executions
can run anywhere and in any order: the run's outputs are ordered by queue time, which
routing fixed already. Groups are then packed into at most ``max_batches`` batches.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from agentplatform.models.graph import GraphModel

_CACHE_MAX = 256
_territories: dict[int, tuple[GraphModel, dict[str, frozenset[str]]]] = {}
_lock = threading.Lock()


def territories(graph: GraphModel) -> dict[str, frozenset[str]]:
    """For each node, the nodes with output links reachable from it (itself included).
    Cached per graph object (graph versions are immutable and loaded graphs cached)."""
    cached = _territories.get(id(graph))
    if cached is not None and cached[0] is graph:
        return cached[1]
    routing = {node.id for node in graph.nodes if node.output_links}
    children = {node.id: {link.sink_id for link in node.output_links} for node in graph.nodes}
    result: dict[str, frozenset[str]] = {}
    for node in graph.nodes:
        seen, stack = {node.id}, [node.id]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        result[node.id] = frozenset(seen & routing)
    with _lock:
        if len(_territories) >= _CACHE_MAX:
            _territories.clear()
        _territories[id(graph)] = (graph, result)
    return result


def groups(graph: GraphModel, node_ids: Sequence[str | None]) -> list[list[int]]:
    """Positions of ``node_ids`` (one per queued execution, in queue order) grouped so
    that no two groups' territories overlap; each group keeps queue order, and groups
    come in the order of their first execution. An unknown node (None) stands alone."""
    reach = territories(graph)
    parent: dict[str, str] = {}

    def find(node_id: str) -> str:
        while parent[node_id] != node_id:
            parent[node_id] = parent[parent[node_id]]
            node_id = parent[node_id]
        return node_id

    owner: dict[str, str] = {}  # a routing node -> the first start node reaching it
    starts: list[str] = [n for n in node_ids if n is not None and reach.get(n)]
    for node_id in dict.fromkeys(starts):
        parent.setdefault(node_id, node_id)
        for reached in reach[node_id]:
            first = owner.setdefault(reached, node_id)
            parent[find(first)] = find(node_id)
    grouped: dict[str | int, list[int]] = {}
    for position, node in enumerate(node_ids):
        key: str | int = find(node) if node is not None and node in parent else -1 - position
        grouped.setdefault(key, []).append(position)
    return list(grouped.values())


def pack(group_list: list[list[int]], max_batches: int) -> list[list[int]]:
    """Groups into at most ``max_batches`` batches of near-equal size, never splitting a
    group; each batch keeps queue order."""
    count = max(1, min(max_batches, len(group_list)))
    batches: list[list[int]] = [[] for _ in range(count)]
    for group in sorted(group_list, key=len, reverse=True):
        min(batches, key=len).extend(group)
    return [sorted(batch) for batch in batches if batch]


@dataclass
class Work:
    """Queued node execution ids in queue order, each with its node id (None: unknown)."""

    ids: list[str] = field(default_factory=list)
    nodes: list[str | None] = field(default_factory=list)

    def extend(self, ids: Sequence[str], nodes: Sequence[str | None]) -> None:
        self.ids.extend(ids)
        self.nodes.extend(nodes)

    def deduped(self) -> Work:
        first = {node_exec_id: index for index, node_exec_id in reversed(list(enumerate(self.ids)))}
        keep = sorted(first.values())
        return Work([self.ids[i] for i in keep], [self.nodes[i] for i in keep])

    def __getitem__(self, part: slice) -> Work:
        return Work(self.ids[part], self.nodes[part])

    def __add__(self, other: Work) -> Work:
        return Work(self.ids + other.ids, self.nodes + other.nodes)

    def __len__(self) -> int:
        return len(self.ids)


# Payloads carry a node as its position in ``graph.nodes`` (a few bytes, not 36).


def node_indices(graph: GraphModel, nodes: Sequence[str | None]) -> list[int]:
    positions = _positions(graph)
    return [-1 if node is None else positions.get(node, -1) for node in nodes]


def nodes_of(graph: GraphModel, indices: Sequence[int] | None, count: int) -> list[str | None]:
    if indices is None or len(indices) != count:
        return [None] * count
    return [graph.nodes[i].id if 0 <= i < len(graph.nodes) else None for i in indices]


def _positions(graph: GraphModel) -> dict[str, int]:
    return {node.id: index for index, node in enumerate(graph.nodes)}
