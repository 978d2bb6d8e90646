"""Pull fenced code blocks out of text (typically an LLM answer), one pin per language."""

from __future__ import annotations

import re
from typing import Any

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)

# Output pin -> fence labels that mean that language. Order is the yield order.
LANGUAGE_ALIASES: dict[str, tuple[str, ...]] = {
    "html": ("html", "htm"),
    "css": ("css",),
    "javascript": ("javascript", "js"),
    "python": ("python", "py"),
    "sql": ("sql",),
    "java": ("java",),
    "cpp": ("cpp", "c++"),
    "csharp": ("csharp", "c#", "cs"),
    "json_code": ("json",),
    "bash": ("bash", "shell", "sh"),
    "php": ("php",),
    "ruby": ("ruby", "rb"),
    "yaml": ("yaml", "yml"),
    "markdown": ("markdown", "md"),
    "typescript": ("typescript", "ts"),
    "xml": ("xml",),
}


def _fence_pattern(aliases: tuple[str, ...]) -> re.Pattern[str]:
    labels = "|".join(re.escape(alias) for alias in aliases)
    return re.compile(rf"```(?:{labels})[ \t]*\n(.*?)```", re.DOTALL | re.IGNORECASE)


_PATTERNS = {pin: _fence_pattern(aliases) for pin, aliases in LANGUAGE_ALIASES.items()}


class CodeExtractionBlock(Block):
    class Input(BlockSchemaInput):
        text: str = SchemaField(
            description="Text containing code blocks to extract (e.g., AI response)",
            placeholder="Enter text containing code blocks",
        )

    class Output(BlockSchemaOutput):
        html: str = SchemaField(description="Extracted HTML code")
        css: str = SchemaField(description="Extracted CSS code")
        javascript: str = SchemaField(description="Extracted JavaScript code")
        python: str = SchemaField(description="Extracted Python code")
        sql: str = SchemaField(description="Extracted SQL code")
        java: str = SchemaField(description="Extracted Java code")
        cpp: str = SchemaField(description="Extracted C++ code")
        csharp: str = SchemaField(description="Extracted C# code")
        json_code: str = SchemaField(description="Extracted JSON code")
        bash: str = SchemaField(description="Extracted Bash code")
        php: str = SchemaField(description="Extracted PHP code")
        ruby: str = SchemaField(description="Extracted Ruby code")
        yaml: str = SchemaField(description="Extracted YAML code")
        markdown: str = SchemaField(description="Extracted Markdown code")
        typescript: str = SchemaField(description="Extracted TypeScript code")
        xml: str = SchemaField(description="Extracted XML code")
        remaining_text: str = SchemaField(description="Remaining text after code extraction")

    def __init__(self) -> None:
        super().__init__(
            id="d3a7d896-3b78-4f44-8b4b-48fbf4f0bcd8",
            description="Extracts code blocks from text and identifies their programming languages",
            categories={BlockCategory.TEXT},
            input_schema=CodeExtractionBlock.Input,
            output_schema=CodeExtractionBlock.Output,
            test_input={
                "text": "Here's a Python example:\n```python\nprint('Hello World')\n```\n"
                "And some HTML:\n```html\n<h1>Title</h1>\n```"
            },
            test_output=[
                ("html", "<h1>Title</h1>"),
                ("python", "print('Hello World')"),
                ("remaining_text", "Here's a Python example:\nAnd some HTML:"),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        text = input_data.text
        for pin, pattern in _PATTERNS.items():
            blocks = [match.strip() for match in pattern.findall(text)]
            code = "\n\n".join(block for block in blocks if block)
            if code:
                yield pin, code
        yield "remaining_text", self._remaining(text)

    @staticmethod
    def _remaining(text: str) -> str:
        for pattern in _PATTERNS.values():
            text = pattern.sub("", text)
        # Drop the blank lines the removed fences leave behind.
        return re.sub(r"\n\s*\n", "\n", text).strip()
