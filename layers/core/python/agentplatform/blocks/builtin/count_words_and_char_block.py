"""Word and character counts of a text."""

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


class WordCharacterCountBlock(Block):
    class Input(BlockSchemaInput):
        text: str = SchemaField(
            description="Input text to count words and characters", placeholder="Enter your text here"
        )

    class Output(BlockSchemaOutput):
        word_count: int = SchemaField(description="Number of words in the input text")
        character_count: int = SchemaField(description="Number of characters in the input text")
        error: str = SchemaField(description="Error message if the counting operation failed")

    def __init__(self) -> None:
        super().__init__(
            id="ab2a782d-22cf-4587-8a70-55b59b3f9f90",
            description="Counts the number of words and characters in a given text.",
            categories={BlockCategory.TEXT},
            input_schema=WordCharacterCountBlock.Input,
            output_schema=WordCharacterCountBlock.Output,
            test_input={"text": "Hello, how are you?"},
            test_output=[("word_count", 4), ("character_count", 19)],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        yield "word_count", len(input_data.text.split())
        yield "character_count", len(input_data.text)
