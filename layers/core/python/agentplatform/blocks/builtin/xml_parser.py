"""XML to nested dicts, with the shapes upstream's gravitasml parser produces.

A small tokenizer/parser of our own: no entity expansion, no DTDs, no attributes
(they are ignored), so hostile documents cannot blow up memory or reach the network.
"""

from __future__ import annotations

import re
from typing import Any

from agentplatform.blocks import (
    Block,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)

MAX_XML_CHARS = 10 * 1024 * 1024
_TOKEN = re.compile(r"<(/?)([A-Za-z_][\w.:-]*)[^<>]*?(/?)>|([^<]+)|(<)")


def _tokens(xml: str) -> list[tuple[str, str]]:
    """("open"|"close"|"empty"|"text", value) tokens; comments and prologs are skipped."""
    xml = re.sub(r"<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^>]*>", "", xml, flags=re.S)
    tokens: list[tuple[str, str]] = []
    for closing, name, self_closing, text, stray in _TOKEN.findall(xml):
        if stray:
            raise ValueError("Malformed XML: unexpected '<'")
        if text:
            if text.strip():
                tokens.append(("text", text.strip()))
        elif closing:
            tokens.append(("close", name))
        else:
            tokens.append(("empty" if self_closing else "open", name))
    return tokens


def _children_value(children: list[tuple[str, Any]]) -> Any:
    if len(children) == 1:
        name, value = children[0]
        return {name: value}
    return [{name: value} for name, value in children]


def parse_xml(xml: str) -> dict[str, Any]:
    if len(xml) > MAX_XML_CHARS:
        raise ValueError(f"XML document is larger than {MAX_XML_CHARS} characters")
    stack: list[tuple[str, list[tuple[str, Any]], list[str]]] = [("", [], [])]
    for kind, value in _tokens(xml):
        if kind == "open":
            stack.append((value, [], []))
        elif kind == "empty":
            stack[-1][1].append((value, None))
        elif kind == "text":
            stack[-1][2].append(value)
        else:
            name, children, texts = stack.pop()
            if name != value or not stack:
                raise ValueError(f"Malformed XML: unexpected closing tag </{value}>")
            if children and texts:
                raise ValueError(f"Mixed text and elements inside <{name}> are not supported")
            stack[-1][1].append((name, _children_value(children) if children else " ".join(texts) or None))
    if len(stack) != 1:
        raise ValueError(f"Malformed XML: <{stack[-1][0]}> is not closed")
    roots = stack[0][1]
    if len(roots) != 1 or stack[0][2]:
        raise ValueError("XML must have exactly one root element")
    name, value = roots[0]
    return {name: value}


class XMLParserBlock(Block):
    class Input(BlockSchemaInput):
        input_xml: str = SchemaField(description="input xml to be parsed")

    class Output(BlockSchemaOutput):
        parsed_xml: dict = SchemaField(description="output parsed xml to dict")
        error: str = SchemaField(description="Error in parsing")

    def __init__(self) -> None:
        super().__init__(
            id="286380af-9529-4b55-8be0-1d7c854abdb5",
            description="Parses XML using gravitasml to tokenize and coverts it to dict",
            input_schema=XMLParserBlock.Input,
            output_schema=XMLParserBlock.Output,
            test_input={"input_xml": "<tag1><tag2>content</tag2></tag1>"},
            test_output=[("parsed_xml", {"tag1": {"tag2": "content"}})],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        try:
            parsed = parse_xml(input_data.input_xml)
        except ValueError as exc:
            yield "error", f"Error parsing XML: {exc}"
            return
        yield "parsed_xml", parsed
