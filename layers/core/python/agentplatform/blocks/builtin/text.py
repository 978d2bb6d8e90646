"""Text blocks: pattern matching, extraction, templating, joining and splitting."""

from __future__ import annotations

import json
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
from agentplatform.blocks.media import MediaFileType, load_media
from agentplatform.blocks.templating import render

MAX_TEXT_CHARS = 1_000_000
MAX_MATCH_CHARS = 10_000
MAX_MATCHES = 1000
# User-supplied patterns run under the ``regex`` engine with a deadline, so a
# catastrophically backtracking pattern fails the node instead of pinning the Lambda.
REGEX_TIMEOUT_SECONDS = 5.0


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _regex_flags(case_sensitive: bool, dot_all: bool) -> int:
    flags = 0 if case_sensitive else re.IGNORECASE
    return flags | re.DOTALL if dot_all else flags


def _compile(pattern: str, flags: int) -> Any:
    import regex  # deferred: only the regex blocks pay for the import

    return regex.compile(pattern, flags)


class MatchTextPatternBlock(Block):
    class Input(BlockSchemaInput):
        text: Any = SchemaField(description="Text to match")
        match: str = SchemaField(description="Pattern (Regex) to match")
        data: Any = SchemaField(description="Data to be forwarded to output")
        case_sensitive: bool = SchemaField(description="Case sensitive match", default=True)
        dot_all: bool = SchemaField(description="Dot matches all", default=True)

    class Output(BlockSchemaOutput):
        positive: Any = SchemaField(description="Output data if match is found")
        negative: Any = SchemaField(description="Output data if match is not found")

    def __init__(self) -> None:
        super().__init__(
            id="3060088f-6ed9-4928-9ba7-9c92823a7ccd",
            description=(
                "Matches text against a regex pattern and forwards data to positive or negative "
                "output based on the match."
            ),
            categories={BlockCategory.TEXT},
            input_schema=MatchTextPatternBlock.Input,
            output_schema=MatchTextPatternBlock.Output,
            test_input=[
                {"text": "ABC", "match": "ab", "data": "X", "case_sensitive": False},
                {"text": "ABC", "match": "ab", "data": "Y", "case_sensitive": True},
                {"text": "Hello World!", "match": ".orld.+", "data": "Z"},
                {"text": "Hello World!", "match": "World![a-z]+", "data": "Z"},
            ],
            test_output=[("positive", "X"), ("negative", "Y"), ("positive", "Z"), ("negative", "Z")],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        output = input_data.data or input_data.text
        flags = _regex_flags(input_data.case_sensitive, input_data.dot_all)
        try:
            matched = _compile(input_data.match, flags).search(
                _as_text(input_data.text)[:MAX_TEXT_CHARS], timeout=REGEX_TIMEOUT_SECONDS
            )
        except TimeoutError as exc:
            raise ValueError(f"Pattern matching took longer than {REGEX_TIMEOUT_SECONDS:g} seconds") from exc
        if matched:
            yield "positive", output
        else:
            yield "negative", output


class ExtractTextInformationBlock(Block):
    class Input(BlockSchemaInput):
        text: Any = SchemaField(description="Text to parse")
        pattern: str = SchemaField(description="Pattern (Regex) to parse")
        group: int = SchemaField(description="Group number to extract", default=0)
        case_sensitive: bool = SchemaField(description="Case sensitive match", default=True)
        dot_all: bool = SchemaField(description="Dot matches all", default=True)
        find_all: bool = SchemaField(description="Find all matches", default=False)

    class Output(BlockSchemaOutput):
        positive: str = SchemaField(description="Extracted text")
        negative: str = SchemaField(description="Original text")
        matched_results: list[str] = SchemaField(description="List of matched results")
        matched_count: int = SchemaField(description="Number of matched results")

    def __init__(self) -> None:
        super().__init__(
            id="3146e4fe-2cdd-4f29-bd12-0c9d5bb4deb0",
            description="This block extracts the text from the given text using the pattern (regex).",
            categories={BlockCategory.TEXT},
            input_schema=ExtractTextInformationBlock.Input,
            output_schema=ExtractTextInformationBlock.Output,
            test_input=[
                {"text": "Hello, World!", "pattern": "Hello, (.+)", "group": 1},
                {"text": "Hello, World!", "pattern": "Hello, (.+)", "group": 0},
                {"text": "Hello, World!", "pattern": "Hello, (.+)", "group": 2},
                {"text": "Hello, World!", "pattern": "hello,", "case_sensitive": False},
                {
                    "text": "Hello, World!! Hello, Earth!!",
                    "pattern": "Hello, (\\S+)",
                    "group": 1,
                    "find_all": False,
                },
                {
                    "text": "Hello, World!! Hello, Earth!!",
                    "pattern": "Hello, (\\S+)",
                    "group": 1,
                    "find_all": True,
                },
            ],
            test_output=[
                ("positive", "World!"),
                ("matched_results", ["World!"]),
                ("matched_count", 1),
                ("positive", "Hello, World!"),
                ("matched_results", ["Hello, World!"]),
                ("matched_count", 1),
                ("negative", "Hello, World!"),
                ("matched_results", []),
                ("matched_count", 0),
                ("positive", "Hello,"),
                ("matched_results", ["Hello,"]),
                ("matched_count", 1),
                ("positive", "World!!"),
                ("matched_results", ["World!!"]),
                ("matched_count", 1),
                ("positive", "World!!"),
                ("positive", "Earth!!"),
                ("matched_results", ["World!!", "Earth!!"]),
                ("matched_count", 2),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        import regex

        text = _as_text(input_data.text)[:MAX_TEXT_CHARS]
        flags = _regex_flags(input_data.case_sensitive, input_data.dot_all)
        try:
            matches = self._matches(input_data.pattern, text, flags, input_data.group, input_data.find_all)
        except TimeoutError as exc:
            raise ValueError(f"Pattern matching took longer than {REGEX_TIMEOUT_SECONDS:g} seconds") from exc
        except regex.error:  # an invalid pattern: reported on the pins, as upstream
            yield "negative", input_data.text
            yield "matched_results", []
            yield "matched_count", 0
            return
        for match in matches:
            yield "positive", match
        if not matches:
            yield "negative", input_data.text
        yield "matched_results", matches
        yield "matched_count", len(matches)

    @staticmethod
    def _matches(pattern: str, text: str, flags: int, group: int, find_all: bool) -> list[str]:
        found: list[str] = []
        for match in _compile(pattern, flags).finditer(text, timeout=REGEX_TIMEOUT_SECONDS):
            if group > len(match.groups()):
                continue
            found.append((match.group(group) or "")[:MAX_MATCH_CHARS])
            if not find_all or len(found) >= MAX_MATCHES:
                break
        return found


class FillTextTemplateBlock(Block):
    class Input(BlockSchemaInput):
        values: dict[str, Any] = SchemaField(
            description=(
                "Values (dict) to be used in format. These values can be used by putting them in "
                "double curly braces in the format template. e.g. {{value_name}}."
            ),
        )
        format: str = SchemaField(
            description="Template to format the text using `values`. Use Jinja2 syntax.",
        )
        escape_html: bool = SchemaField(
            default=False,
            advanced=True,
            description=(
                "Whether to escape special characters in the inserted values to be HTML-safe. Enable "
                "for HTML output, disable for plain text."
            ),
        )

    class Output(BlockSchemaOutput):
        output: str = SchemaField(description="Formatted text")

    def __init__(self) -> None:
        super().__init__(
            id="db7d8f02-2f44-4c55-ab7a-eae0941f0c30",
            description="This block formats the given texts using the format template.",
            categories={BlockCategory.TEXT},
            input_schema=FillTextTemplateBlock.Input,
            output_schema=FillTextTemplateBlock.Output,
            test_input=[
                {
                    "values": {"name": "Alice", "hello": "Hello", "world": "World!"},
                    "format": "{{hello}}, {{ world }} {{name}}",
                },
                {
                    "values": {"list": ["Hello", " World!"]},
                    "format": "{% for item in list %}{{ item }}{% endfor %}",
                },
                {"values": {}, "format": "{% set name = 'Alice' %}Hello, World! {{ name }}"},
            ],
            test_output=[
                ("output", "Hello, World! Alice"),
                ("output", "Hello World!"),
                ("output", "Hello, World! Alice"),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        from jinja2 import TemplateError

        try:
            rendered = render(input_data.format, input_data.values, autoescape=input_data.escape_html)
        except TemplateError as exc:
            raise ValueError(f"Template error: {exc}") from exc
        yield "output", rendered


class CombineTextsBlock(Block):
    class Input(BlockSchemaInput):
        input: list[str] = SchemaField(description="text input to combine")
        delimiter: str = SchemaField(description="Delimiter to combine texts", default="")

    class Output(BlockSchemaOutput):
        output: str = SchemaField(description="Combined text")

    def __init__(self) -> None:
        super().__init__(
            id="e30a4d42-7b7d-4e6a-b36e-1f9b8e3b7d85",
            description="This block combines multiple input texts into a single output text.",
            categories={BlockCategory.TEXT},
            input_schema=CombineTextsBlock.Input,
            output_schema=CombineTextsBlock.Output,
            test_input=[
                {"input": ["Hello world I like ", "cake and to go for walks"]},
                {"input": ["This is a test", "Hi!"], "delimiter": "! "},
            ],
            test_output=[
                ("output", "Hello world I like cake and to go for walks"),
                ("output", "This is a test! Hi!"),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        yield "output", input_data.delimiter.join(input_data.input)


class TextSplitBlock(Block):
    class Input(BlockSchemaInput):
        text: str = SchemaField(description="The text to split.")
        delimiter: str = SchemaField(description="The delimiter to split the text by.")
        strip: bool = SchemaField(description="Whether to strip the text.", default=True)

    class Output(BlockSchemaOutput):
        texts: list[str] = SchemaField(
            description="List of text after splitting the input text by the delimiter."
        )

    def __init__(self) -> None:
        super().__init__(
            id="d5ea33c8-a575-477a-b42f-2fe3be5055ec",
            description="This block is used to split a text into a list of strings.",
            categories={BlockCategory.TEXT},
            input_schema=TextSplitBlock.Input,
            output_schema=TextSplitBlock.Output,
            test_input=[
                {"text": "Hello, World!", "delimiter": ","},
                {"text": "Hello, World!", "delimiter": ",", "strip": False},
            ],
            test_output=[("texts", ["Hello", "World!"]), ("texts", ["Hello", " World!"])],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        if not input_data.text:
            yield "texts", []
            return
        parts = input_data.text.split(input_data.delimiter)
        yield "texts", [part.strip() for part in parts] if input_data.strip else parts


class TextReplaceBlock(Block):
    class Input(BlockSchemaInput):
        text: str = SchemaField(description="The text to replace.")
        old: str = SchemaField(description="The old text to replace.")
        new: str = SchemaField(description="The new text to replace with.")

    class Output(BlockSchemaOutput):
        output: str = SchemaField(description="The text with the replaced text.")

    def __init__(self) -> None:
        super().__init__(
            id="7e7c87ab-3469-4bcc-9abe-67705091b713",
            description="This block is used to replace a text with a new text.",
            categories={BlockCategory.TEXT},
            input_schema=TextReplaceBlock.Input,
            output_schema=TextReplaceBlock.Output,
            test_input=[{"text": "Hello, World!", "old": "Hello", "new": "Hi"}],
            test_output=[("output", "Hi, World!")],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        yield "output", input_data.text.replace(input_data.old, input_data.new)


class FileReadBlock(Block):
    class Input(BlockSchemaInput):
        file_input: MediaFileType = SchemaField(
            description="The file to read from (URL, data URI, or local path)"
        )
        delimiter: str = SchemaField(
            description="Delimiter to split the content into rows/chunks (e.g., '\\n' for lines)",
            default="",
            advanced=True,
        )
        size_limit: int = SchemaField(
            description="Maximum size in bytes per chunk to yield (0 for no limit)", default=0, advanced=True
        )
        row_limit: int = SchemaField(
            description="Maximum number of rows to process (0 for no limit, requires delimiter)",
            default=0,
            advanced=True,
        )
        skip_size: int = SchemaField(
            description="Number of characters to skip from the beginning of the file",
            default=0,
            advanced=True,
        )
        skip_rows: int = SchemaField(
            description="Number of rows to skip from the beginning (requires delimiter)",
            default=0,
            advanced=True,
        )

    class Output(BlockSchemaOutput):
        content: str = SchemaField(
            description="File content, yielded as individual chunks when delimiter or size limits are applied"
        )

    def __init__(self) -> None:
        super().__init__(
            id="3735a31f-7e18-4aca-9e90-08a7120674bc",
            description=(
                "Reads a file and returns its content as a string, with optional chunking by "
                "delimiter and size limits"
            ),
            categories={BlockCategory.TEXT, BlockCategory.DATA},
            input_schema=FileReadBlock.Input,
            output_schema=FileReadBlock.Output,
            test_input={"file_input": "data:text/plain;base64,SGVsbG8gV29ybGQ="},
            test_output=[("content", "Hello World")],
        )

    async def run(self, input_data: Input, *, graph_exec_id: str | None = None, **kwargs: Any) -> BlockOutput:
        media = await load_media(input_data.file_input, graph_exec_id)
        try:
            content = media.data.decode("utf-8")
        except UnicodeDecodeError:
            content = media.data.decode("latin-1")
        for chunk in self._chunks(content, input_data):
            yield "content", chunk

    @staticmethod
    def _chunks(content: str, options: FileReadBlock.Input) -> list[str]:
        if options.skip_size > 0:
            content = content[options.skip_size :]
        if options.delimiter:
            rows = content.split(options.delimiter)
            if options.skip_rows > 0:
                rows = rows[options.skip_rows :]
            if options.row_limit > 0:
                rows = rows[: options.row_limit]
            content = options.delimiter.join(rows)
        if not content:
            return [""]
        if options.size_limit <= 0:
            return [content]
        step = options.size_limit
        return [content[start : start + step] for start in range(0, len(content), step)]
