"""Decoding of escape sequences (``\\n``, ``\\"``, ...) written out in a text."""

from __future__ import annotations

import codecs
from typing import Any

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)


class TextDecoderBlock(Block):
    class Input(BlockSchemaInput):
        text: str = SchemaField(
            description="A string containing escaped characters to be decoded",
            placeholder='Your entire text block with \\n and \\" escaped characters',
        )

    class Output(BlockSchemaOutput):
        decoded_text: str = SchemaField(description="The decoded text with escape sequences processed")

    def __init__(self) -> None:
        super().__init__(
            id="2570e8fe-8447-43ed-84c7-70d657923231",
            description="Decodes a string containing escape sequences into actual text",
            categories={BlockCategory.TEXT},
            input_schema=TextDecoderBlock.Input,
            output_schema=TextDecoderBlock.Output,
            # Upstream's vector (already-decoded text, an identity) followed by one that
            # actually decodes written-out escapes.
            test_input=[
                {"text": 'Hello\nWorld!\nThis is a "quoted" string.'},
                {"text": 'Hello\\nWorld!\\tTabbed \\"quoted\\"'},
            ],
            test_output=[
                ("decoded_text", 'Hello\nWorld!\nThis is a "quoted" string.'),
                ("decoded_text", 'Hello\nWorld!\tTabbed "quoted"'),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        yield "decoded_text", codecs.decode(input_data.text, "unicode_escape")
