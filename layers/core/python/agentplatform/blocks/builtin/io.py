"""Graph input and output blocks: how values enter and leave an agent."""

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
from agentplatform.blocks.templating import render


class AgentInputBlock(Block):
    """A graph input. The execute request's ``inputs[name]`` arrives as ``value``."""

    class Input(BlockSchemaInput):
        name: str = SchemaField(description="The name of the input.")
        value: Any = SchemaField(description="The value to be passed as input.", default=None)
        title: str | None = SchemaField(description="The title of the input.", default=None, advanced=True)
        description: str | None = SchemaField(
            description="The description of the input.", default=None, advanced=True
        )
        placeholder_values: list = SchemaField(
            description="The placeholder values to be passed as input.",
            default_factory=list,
            advanced=True,
            hidden=True,
        )
        advanced: bool = SchemaField(
            description="Whether to show the input in the advanced section, if the field is not required.",
            default=False,
            advanced=True,
        )
        secret: bool = SchemaField(
            description="Whether the input should be treated as a secret.",
            default=False,
            advanced=True,
        )

    class Output(BlockSchema):
        result: Any = SchemaField(description="The value passed as input.")

    def __init__(self, **kwargs: Any):
        super().__init__(
            **{
                "id": "c0a8e994-ebf1-4a9c-a4d8-89d09c86741b",
                "description": "Base block for user inputs.",
                "input_schema": AgentInputBlock.Input,
                "output_schema": AgentInputBlock.Output,
                "test_input": [
                    {
                        "value": "Hello, World!",
                        "name": "input_1",
                        "description": "Example test input.",
                        "placeholder_values": [],
                    },
                    {
                        "value": "Hello, World!",
                        "name": "input_2",
                        "description": "Example test input with placeholders.",
                        "placeholder_values": ["Hello, World!"],
                    },
                ],
                "test_output": [("result", "Hello, World!"), ("result", "Hello, World!")],
                "categories": {BlockCategory.INPUT, BlockCategory.BASIC},
                "block_type": BlockType.INPUT,
                "static_output": True,
                **kwargs,
            }
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        if input_data.value is not None:
            yield "result", input_data.value


class AgentOutputBlock(Block):
    """A graph output. The graph's outputs are this block's *input* ``value``s."""

    class Input(BlockSchemaInput):
        value: Any = SchemaField(description="The value to be recorded as output.", default=None)
        name: str = SchemaField(description="The name of the output.")
        title: str | None = SchemaField(description="The title of the output.", default=None, advanced=True)
        description: str | None = SchemaField(
            description="The description of the output.", default=None, advanced=True
        )
        format: str = SchemaField(
            description="The format string to be used to format the recorded_value. Use Jinja2 syntax.",
            default="",
            advanced=True,
        )
        escape_html: bool = SchemaField(
            default=False,
            advanced=True,
            description="Whether to escape special characters in the inserted values to be HTML-safe.",
        )
        advanced: bool = SchemaField(
            description="Whether to treat the output as advanced.", default=False, advanced=True
        )
        secret: bool = SchemaField(
            description="Whether the output should be treated as a secret.",
            default=False,
            advanced=True,
        )

    class Output(BlockSchema):
        output: Any = SchemaField(description="The value recorded as output.")
        name: Any = SchemaField(description="The name of the value recorded as output.")

    def __init__(self) -> None:
        super().__init__(
            id="363ae599-353e-4804-937e-b2ee3cef3da4",
            description="Stores the output of the graph for users to see.",
            input_schema=AgentOutputBlock.Input,
            output_schema=AgentOutputBlock.Output,
            test_input=[
                {
                    "value": "Hello, World!",
                    "name": "output_1",
                    "description": "This is a test output.",
                    "format": "{{ output_1 }}!!",
                },
                {
                    "value": "42",
                    "name": "output_2",
                    "description": "This is another test output.",
                    "format": "{{ output_2 }}",
                },
                # Upstream's third vector renders a MockObject; a dict exercises the
                # same "non-string value through the template" path.
                {
                    "value": {"key": "!!"},
                    "name": "output_3",
                    "description": "This is a test output with a dict.",
                    "format": "{{ output_3.key }}",
                },
            ],
            test_output=[("output", "Hello, World!!!"), ("output", "42"), ("output", "!!")],
            categories={BlockCategory.OUTPUT, BlockCategory.BASIC},
            block_type=BlockType.OUTPUT,
            static_output=True,
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        if input_data.format:
            try:
                yield (
                    "output",
                    render(
                        input_data.format,
                        {input_data.name: input_data.value},
                        autoescape=input_data.escape_html,
                    ),
                )
            except Exception as exc:  # a broken template is reported, not raised (upstream)
                yield "output", f"Error: {exc}, {input_data.value}"
        else:
            yield "output", input_data.value
            yield "name", input_data.name
