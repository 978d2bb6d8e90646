"""The first node executions of a run: starting nodes and injected graph inputs (spec §3.1)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from agentplatform.blocks.block import BlockType
from agentplatform.blocks.registry import get_block
from agentplatform.engine.readiness import validate_exec
from agentplatform.engine.routing import NewExecution
from agentplatform.models.graph import GraphModel

NO_STARTING_NODES = (
    "No starting nodes found for the graph, make sure an AgentInput or blocks with no "
    "inbound links are present as starting nodes."
)


def starting_executions(
    graph: GraphModel,
    inputs: Mapping[str, Any],
    masks: Mapping[str, Mapping[str, Any]],
) -> list[NewExecution]:
    """One QUEUED execution per starting node, with its validated, merged input.

    Raises ``ValueError`` (a 400) when a starting node's input is invalid.
    """
    executions: list[NewExecution] = []
    for node in graph.nodes:
        block = get_block(node.block_id)
        if block is None or block.block_type == BlockType.NOTE:
            continue
        if node.input_links and block.block_type != BlockType.INPUT:
            continue
        data: dict[str, Any] = {}
        if block.block_type == BlockType.INPUT:
            name = str(node.input_default.get("name", ""))
            if name in inputs:
                data["value"] = inputs[name]
        data.update(masks.get(node.id, {}))
        merged, error = validate_exec(node, block, data)
        if error:
            raise ValueError(error)
        executions.append(NewExecution(str(uuid.uuid4()), node.id, node.block_id, True, merged))
    if not executions:
        raise ValueError(NO_STARTING_NODES)
    return executions
