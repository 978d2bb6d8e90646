"""Sub-graphs: an agent's AgentExecutor nodes run other graphs.

An export carries them flattened in ``sub_graphs``. On import each embedded sub-graph
becomes a graph of the importing user (fresh id, version 1) and every AgentExecutor
node that referred to it, in the parent or in another sub-graph, is re-pointed at the
stored copy. An export (``for_export=true``) embeds every graph the agent refers to
again, so exporting and importing round-trips.
"""

from __future__ import annotations

from collections.abc import Iterable

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


def detach_sub_graphs(graph: Graph) -> None:
    """Give each embedded sub-graph (each distinct id and version) a fresh id at version 1
    and re-point the AgentExecutor nodes that refer to it. A reference to an embedded
    graph id with a version that is not embedded goes to that id's newest embedded one;
    references to graphs that are not embedded are left alone (the user's own graphs)."""
    fresh: dict[GraphRef, str] = {}
    newest: dict[str, tuple[int, str]] = {}
    unique: list[BaseGraph] = []
    for sub in graph.sub_graphs:
        key = (sub.id, sub.version)
        if key in fresh:
            continue
        fresh[key] = new_id()
        unique.append(sub)
        if sub.id not in newest or newest[sub.id][0] < sub.version:
            newest[sub.id] = (sub.version, fresh[key])
    if len(unique) > MAX_SUB_GRAPHS:
        raise ValueError(
            f"An agent can embed at most {MAX_SUB_GRAPHS} sub-graphs, this one has {len(unique)}"
        )
    for node in _executor_nodes([graph, *unique]):
        graph_id = node.input_default.get("graph_id")
        target = fresh.get((graph_id, node.input_default.get("graph_version")))  # type: ignore[arg-type]
        if target is None and isinstance(graph_id, str) and graph_id in newest:
            target = newest[graph_id][1]
        if target is not None:
            node.input_default["graph_id"], node.input_default["graph_version"] = target, 1
    for sub in unique:
        sub.id, sub.version, sub.is_active = fresh[(sub.id, sub.version)], 1, True
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
