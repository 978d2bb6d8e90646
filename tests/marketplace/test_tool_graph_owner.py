"""A marketplace agent's SmartDecisionMaker finds its tools in the creator's graph."""

from __future__ import annotations

from typing import Any


def test_tool_graph_is_read_from_the_graph_owner_not_the_runner():
    from agentplatform.blocks.builtin.smart_decision_maker import SmartDecisionMakerBlock
    from agentplatform.models.graph import GraphModel

    seen: list[tuple[Any, ...]] = []

    def loader(user_id: str, graph_id: str, version: int | None) -> GraphModel:
        seen.append((user_id, graph_id, version))
        return GraphModel(id=graph_id, user_id=user_id)

    block = SmartDecisionMakerBlock()
    block.graph_loader = loader
    kwargs = {"node_id": "n", "graph_id": "g", "graph_version": 3, "user_id": "runner"}
    block.tool_definitions(**kwargs, execution_context={"graph_owner_id": "creator"})
    block.tool_definitions(**kwargs, execution_context={})  # an own graph: the runner's
    assert seen == [("creator", "g", 3), ("runner", "g", 3)]
