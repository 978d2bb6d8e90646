"""Arithmetic and counting blocks."""

from __future__ import annotations

import enum
import math
import operator
from collections.abc import Callable
from typing import Any

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)


class Operation(enum.StrEnum):
    ADD = "Add"
    SUBTRACT = "Subtract"
    MULTIPLY = "Multiply"
    DIVIDE = "Divide"
    POWER = "Power"


_OPERATIONS: dict[Operation, Callable[[float, float], float]] = {
    Operation.ADD: operator.add,
    Operation.SUBTRACT: operator.sub,
    Operation.MULTIPLY: operator.mul,
    Operation.DIVIDE: operator.truediv,
    Operation.POWER: operator.pow,
}


class CalculatorBlock(Block):
    class Input(BlockSchemaInput):
        operation: Operation = SchemaField(
            description="Choose the math operation you want to perform", placeholder="Select an operation"
        )
        a: float = SchemaField(description="Enter the first number (A)", placeholder="For example: 10")
        b: float = SchemaField(description="Enter the second number (B)", placeholder="For example: 5")
        round_result: bool = SchemaField(
            description="Do you want to round the result to a whole number?", default=False
        )

    class Output(BlockSchemaOutput):
        result: float = SchemaField(description="The result of your calculation")

    def __init__(self) -> None:
        super().__init__(
            id="b1ab9b19-67a6-406d-abf5-2dba76d00c79",
            input_schema=CalculatorBlock.Input,
            output_schema=CalculatorBlock.Output,
            description="Performs a mathematical operation on two numbers.",
            categories={BlockCategory.LOGIC},
            test_input={"operation": Operation.ADD.value, "a": 10.0, "b": 5.0, "round_result": False},
            test_output=[("result", 15.0)],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        try:
            result: float = _OPERATIONS[Operation(input_data.operation)](input_data.a, input_data.b)
        except ZeroDivisionError:
            result = float("inf")
        except Exception:  # overflow and the like: upstream answers NaN rather than failing
            result = float("nan")
        if isinstance(result, complex):  # a negative base to a fractional power
            result = float("nan")
        if input_data.round_result and math.isfinite(result):
            result = round(result)
        yield "result", result


class CountItemsBlock(Block):
    class Input(BlockSchemaInput):
        collection: Any = SchemaField(
            description=(
                "Enter the collection you want to count. This can be a list, dictionary, string, or "
                "any other iterable."
            ),
            placeholder="For example: [1, 2, 3] or {'a': 1, 'b': 2} or 'hello'",
        )

    class Output(BlockSchemaOutput):
        count: int = SchemaField(description="The number of items in the collection")

    def __init__(self) -> None:
        super().__init__(
            id="3c9c2f42-b0c3-435f-ba35-05f7a25c772a",
            input_schema=CountItemsBlock.Input,
            output_schema=CountItemsBlock.Output,
            description="Counts the number of items in a collection.",
            categories={BlockCategory.LOGIC},
            test_input={"collection": [1, 2, 3, 4, 5]},
            test_output=[("count", 5)],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        collection = input_data.collection
        if isinstance(collection, str | list | tuple | set | dict):
            count = len(collection)
        elif hasattr(collection, "__iter__"):
            count = sum(1 for _ in collection)
        else:
            count = -1
        yield "count", count
