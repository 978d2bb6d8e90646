"""Sub-graphs: an agent's AgentExecutor nodes run other graphs.

An export carries them flattened in ``sub_graphs``. On import each embedded sub-graph
becomes a graph of the importing user (fresh id, version 1) and every AgentExecutor
node that referred to it, in the parent or in another sub-graph, is re-pointed at the
stored copy. An export (``for_export=true``) embeds every graph the agent refers to
again, so exporting and importing round-trips.
"""

from __future__ import annotations

from collections.abc import Iterable

from agentplatform.blocks.block import BlockType
from agentplatform.blocks.registry import get_block
from agentplatform.graphs.ids import AGENT_EXECUTOR_BLOCK_ID
from agentplatform.models.graph import BaseGraph, Graph, GraphModel, Node, StoredSubGraph, new_id
from agentplatform.store.graphs import GraphRepository

GraphRef = tuple[str, int]
# An import is one transaction (at most 100 writes): the agent and each sub-graph take
# three (graph, version, library agent).
MAX_SUB_GRAPHS = 32


def _executor_nodes(graphs: Iterable[BaseGraph]) -> Iterable[Node]:
    for graph in graphs:
        yield from (node for node in graph.nodes if node.block_id == AGENT_EXECUTOR_BLOCK_ID)


def _ref(node: Node) -> GraphRef | None:
    graph_id, version = node.input_default.get("graph_id"), node.input_default.get("graph_version")
    if not isinstance(graph_id, str) or not isinstance(version, int):
        return None
    return graph_id, version


def _pins(graph: BaseGraph) -> tuple[set[str], set[str]]:
    """The names of a graph's inputs and outputs (its AgentInput/AgentOutput nodes)."""
    names: dict[BlockType, set[str]] = {BlockType.INPUT: set(), BlockType.OUTPUT: set()}
    for node in graph.nodes:
        block = get_block(node.block_id)
        if block is not None and block.block_type in names:
            names[block.block_type].add(str(node.input_default.get("name", "")))
    return names[BlockType.INPUT], names[BlockType.OUTPUT]


def _node_pins(node: Node) -> tuple[set[str], set[str]]:
    schemas = [node.input_default.get(key) or {} for key in ("input_schema", "output_schema")]
    return set(schemas[0].get("properties") or {}), set(schemas[1].get("properties") or {})


class _Embedded:
    """Which embedded sub-graph an AgentExecutor node means."""

    def __init__(self, subs: list[BaseGraph]):
        self.by_ref = {(sub.id, sub.version): sub for sub in subs}
        self.newest: dict[str, BaseGraph] = {}
        self.by_version: dict[int, list[BaseGraph]] = {}
        for sub in subs:
            if sub.id not in self.newest or self.newest[sub.id].version < sub.version:
                self.newest[sub.id] = sub
            self.by_version.setdefault(sub.version, []).append(sub)

    def target(self, node: Node) -> BaseGraph | None:
        graph_id, version = node.input_default.get("graph_id"), node.input_default.get("graph_version")
        if (graph_id, version) in self.by_ref:
            return self.by_ref[(graph_id, version)]  # type: ignore[index]
        if graph_id in self.newest:  # an embedded graph, at a version that is not
            return self.newest[graph_id]
        # Marketplace agent files re-id their sub-graphs without re-pointing the nodes
        # (every export in the reference set): the one embedded graph with the node's
        # version, or among several, the one whose inputs and outputs are the node's.
        candidates = self.by_version.get(version, []) if isinstance(version, int) else []
        if len(candidates) > 1:
            candidates = [sub for sub in candidates if _pins(sub) == _node_pins(node)]
        return candidates[0] if len(candidates) == 1 else None


def detach_sub_graphs(graph: Graph) -> None:
    """Give each embedded sub-graph (each distinct id and version) a fresh id at version 1
    and re-point the AgentExecutor nodes that run it, in the parent and in the other
    sub-graphs. References to graphs that are not embedded are left alone: they are
    the user's own graphs."""
    unique = list({(sub.id, sub.version): sub for sub in graph.sub_graphs}.values())
    if len(unique) > MAX_SUB_GRAPHS:
        raise ValueError(
            f"An agent can embed at most {MAX_SUB_GRAPHS} sub-graphs, this one has {len(unique)}"
        )
    embedded = _Embedded(unique)
    targets = [(node, embedded.target(node)) for node in _executor_nodes([graph, *unique])]
    for sub in unique:
        sub.id, sub.version, sub.is_active = new_id(), 1, True
    for node, target in targets:
        if target is not None:
            node.input_default["graph_id"], node.input_default["graph_version"] = target.id, 1
    graph.sub_graphs = unique


def _closure(graph: BaseGraph, by_ref: dict[GraphRef, StoredSubGraph]) -> list[StoredSubGraph]:
    """The embedded graphs ``graph`` runs, directly or through other sub-graphs."""
    found: dict[GraphRef, StoredSubGraph] = {}
    pending = [graph]
    while pending:
        for node in _executor_nodes([pending.pop()]):
            ref = _ref(node)
            if ref in by_ref and ref not in found and ref != (graph.id, graph.version):
                found[ref] = by_ref[ref]
                pending.append(by_ref[ref])
    return list(found.values())


def stored_sub_graphs(graph: GraphModel) -> list[GraphModel]:
    """The embedded sub-graphs of ``graph`` as graphs of their own, each embedding the
    sub-graphs it runs (so it runs, validates and exports on its own too)."""
    by_ref = {(sub.id, sub.version): sub for sub in graph.sub_graphs}
    stored = []
    for sub in graph.sub_graphs:
        model = GraphModel.model_validate(
            {**sub.model_dump(), "sub_graphs": [s.model_dump() for s in _closure(sub, by_ref)]}
        )
        model.link_nodes()
        stored.append(model)
    return stored


def with_referenced_sub_graphs(repo: GraphRepository, graph: GraphModel) -> GraphModel:
    """``graph`` embedding every graph its AgentExecutor nodes run, however deep, read
    from the owner's graphs one batch per level (graphs it cannot find are left out)."""
    graph = graph.model_copy(deep=True)
    known = {(graph.id, graph.version), *((s.id, s.version) for s in graph.sub_graphs)}
    level: list[BaseGraph] = [graph, *graph.sub_graphs]
    while True:
        wanted = sorted({ref for node in _executor_nodes(level) if (ref := _ref(node)) and ref not in known})
        if not wanted:
            return graph
        known.update(wanted)
        found = repo.get_versions(graph.user_id, wanted)
        graph.sub_graphs.extend(StoredSubGraph.model_validate(g.model_dump()) for g in found)
        level = list(found)
