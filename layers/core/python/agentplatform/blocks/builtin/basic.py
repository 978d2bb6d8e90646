"""Basic blocks: constants and simple value plumbing."""

from __future__ import annotations

from typing import Any

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)


class StoreValueBlock(Block):
    """Forwards ``data`` (or ``input`` when data is empty); its links are static."""

    class Input(BlockSchemaInput):
        input: Any = SchemaField(
            description="Trigger the block to produce the output. The value is only used when `data` is None."
        )
        data: Any = SchemaField(
            description="The constant data to be retained in the block. This value is passed as `output`.",
            default=None,
        )

    class Output(BlockSchemaOutput):
        output: Any = SchemaField(description="The stored data retained in the block.")

    def __init__(self) -> None:
        super().__init__(
            id="1ff065e9-88e8-4358-9d82-8dc91f622ba9",
            description="This block forwards an input value as output, allowing reuse without change.",
            categories={BlockCategory.BASIC},
            input_schema=StoreValueBlock.Input,
            output_schema=StoreValueBlock.Output,
            test_input=[
                {"input": "Hello, World!"},
                {"input": "Hello, World!", "data": "Existing Data"},
            ],
            test_output=[("output", "Hello, World!"), ("output", "Existing Data")],
            static_output=True,
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        yield "output", input_data.data or input_data.input
