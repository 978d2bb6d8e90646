"""Re-minting ids on create and update, as upstream's ``reassign_ids`` does."""

from __future__ import annotations

from agentplatform.models.graph import BaseGraph, Graph, new_id

AGENT_EXECUTOR_BLOCK_ID = "e189baac-8c20-45a1-94a7-55177ea42565"


def _reassign(graph: BaseGraph, user_id: str, graph_ids: dict[str, str]) -> None:
    graph.id = graph_ids.get(graph.id, graph.id)
    node_ids = {node.id: new_id() for node in graph.nodes}
    for node in graph.nodes:
        node.id = node_ids[node.id]
        node.input_links, node.output_links = [], []
        if node.block_id == AGENT_EXECUTOR_BLOCK_ID:
            node.input_default["user_id"] = user_id
            node.input_default.setdefault("inputs", {})
            sub_id = node.input_default.get("graph_id")
            if isinstance(sub_id, str) and sub_id in graph_ids:
                node.input_default["graph_id"] = graph_ids[sub_id]
    for link in graph.links:
        link.id = new_id()
        link.source_id = node_ids.get(link.source_id, link.source_id)
        link.sink_id = node_ids.get(link.sink_id, link.sink_id)


def reassign_ids(graph: Graph, user_id: str, *, reassign_graph_id: bool) -> None:
    """Give every node and link (and optionally the graph and sub-graphs) a new uuid4."""
    graph_ids: dict[str, str] = {}
    if reassign_graph_id:
        graph_ids = {graph.id: new_id(), **{sub.id: new_id() for sub in graph.sub_graphs}}
    for each in (graph, *graph.sub_graphs):
        _reassign(each, user_id, graph_ids)
