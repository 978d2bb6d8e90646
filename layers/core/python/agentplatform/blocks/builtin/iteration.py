"""Iteration: fan a collection out into one output per item."""

from __future__ import annotations

import json
from typing import Any

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)

MAX_ITEMS = 10_000
MAX_ITEMS_STR_CHARS = 1_000_000


class StepThroughItemsBlock(Block):
    class Input(BlockSchemaInput):
        items: list = SchemaField(
            advanced=False,
            description="The list or dictionary of items to iterate over",
            placeholder="[1, 2, 3, 4, 5] or {'key1': 'value1', 'key2': 'value2'}",
            default_factory=list,
        )
        items_object: dict = SchemaField(
            advanced=False,
            description="The list or dictionary of items to iterate over",
            placeholder="[1, 2, 3, 4, 5] or {'key1': 'value1', 'key2': 'value2'}",
            default_factory=dict,
        )
        items_str: str = SchemaField(
            advanced=False,
            description="The list or dictionary of items to iterate over",
            placeholder="[1, 2, 3, 4, 5] or {'key1': 'value1', 'key2': 'value2'}",
            default="",
        )

    class Output(BlockSchemaOutput):
        item: Any = SchemaField(description="The current item in the iteration")
        key: Any = SchemaField(description="The key or index of the current item in the iteration")

    def __init__(self) -> None:
        super().__init__(
            id="f66a3543-28d3-4ab5-8945-9b336371e2ce",
            input_schema=StepThroughItemsBlock.Input,
            output_schema=StepThroughItemsBlock.Output,
            categories={BlockCategory.LOGIC},
            description="Iterates over a list or dictionary and outputs each item.",
            test_input={"items": [1, 2, 3, {"key1": "value1", "key2": "value2"}]},
            test_output=[
                ("item", 1),
                ("key", 0),
                ("item", 2),
                ("key", 1),
                ("item", 3),
                ("key", 2),
                ("item", {"key1": "value1", "key2": "value2"}),
                ("key", 3),
            ],
            test_mock={},
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        for source in self._sources(input_data):
            if len(source) > MAX_ITEMS:
                raise ValueError(f"Too many items: {len(source)} (limit {MAX_ITEMS})")
            pairs = source.items() if isinstance(source, dict) else enumerate(source)
            for key, item in pairs:
                yield "item", item
                yield "key", key

    @staticmethod
    def _sources(input_data: StepThroughItemsBlock.Input) -> list[Any]:
        sources: list[Any] = [s for s in (input_data.items, input_data.items_object) if s]
        if input_data.items_str:
            if len(input_data.items_str) > MAX_ITEMS_STR_CHARS:
                raise ValueError(f"items_str is larger than {MAX_ITEMS_STR_CHARS} characters")
            parsed = json.loads(input_data.items_str)
            if not isinstance(parsed, list | dict):
                raise ValueError("items_str must hold a JSON list or object")
            sources.append(parsed)
        return sources
