"""Running another graph as a block (a sub-graph)."""

from __future__ import annotations

from typing import Any

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchema,
    BlockSchemaInput,
    BlockType,
    SchemaField,
)


class AgentExecutorBlock(Block):
    """Runs the sub-graph ``graph_id``/``graph_version`` with ``inputs``.

    The engine runs it (``engine/subgraphs.py``): the node waits for the child run, and
    each of the child's graph outputs becomes an output pin named after it.
    """

    class Input(BlockSchemaInput):
        # Upstream requires user_id; here the engine always knows the running user, so
        # exported agents without it still validate.
        user_id: str = SchemaField(description="User ID", default="")
        graph_id: str = SchemaField(description="Graph ID")
        graph_version: int = SchemaField(description="Graph Version")
        agent_name: str | None = SchemaField(default=None, description="Name to display in the Builder UI")
        inputs: dict[str, Any] = SchemaField(description="Input data for the graph", default_factory=dict)
        input_schema: dict = SchemaField(description="Input schema for the graph", default_factory=dict)
        output_schema: dict = SchemaField(description="Output schema for the graph", default_factory=dict)
        nodes_input_masks: dict[str, dict[str, Any]] | None = SchemaField(
            default=None, hidden=True, description="Per-node input overrides for the sub-graph"
        )

    def __init__(self) -> None:
        super().__init__(
            id="e189baac-8c20-45a1-94a7-55177ea42565",
            description="Executes an existing agent inside your agent",
            input_schema=AgentExecutorBlock.Input,
            output_schema=BlockSchema,
            block_type=BlockType.AGENT,
            categories={BlockCategory.AGENT},
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        raise ValueError("AgentExecutorBlock runs only inside a graph execution")
        yield  # pragma: no cover - makes this an async generator
