"""Branching blocks: route a value to a yes or a no pin."""

from __future__ import annotations

import enum
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


class ComparisonOperator(enum.StrEnum):
    EQUAL = "=="
    NOT_EQUAL = "!="
    GREATER_THAN = ">"
    LESS_THAN = "<"
    GREATER_THAN_OR_EQUAL = ">="
    LESS_THAN_OR_EQUAL = "<="


_COMPARATORS: dict[ComparisonOperator, Callable[[Any, Any], bool]] = {
    ComparisonOperator.EQUAL: operator.eq,
    ComparisonOperator.NOT_EQUAL: operator.ne,
    ComparisonOperator.GREATER_THAN: operator.gt,
    ComparisonOperator.LESS_THAN: operator.lt,
    ComparisonOperator.GREATER_THAN_OR_EQUAL: operator.ge,
    ComparisonOperator.LESS_THAN_OR_EQUAL: operator.le,
}


def _numeric_if_possible(value: Any) -> Any:
    """Strings holding numbers compare as numbers ("10" > "9")."""
    if isinstance(value, str):
        value = value.strip()
        try:
            return float(value)
        except ValueError:
            return value
    return value


class ConditionBlock(Block):
    class Input(BlockSchemaInput):
        value1: Any = SchemaField(
            description="Enter the first value for comparison",
            placeholder="For example: 10 or 'hello' or True",
        )
        operator: ComparisonOperator = SchemaField(
            description="Choose the comparison operator", placeholder="Select an operator"
        )
        value2: Any = SchemaField(
            description="Enter the second value for comparison",
            placeholder="For example: 20 or 'world' or False",
        )
        yes_value: Any = SchemaField(
            description=(
                "(Optional) Value to output if the condition is true. If not provided, value1 will be used."
            ),
            placeholder="Leave empty to use value1, or enter a specific value",
            default=None,
        )
        no_value: Any = SchemaField(
            description=(
                "(Optional) Value to output if the condition is false. If not provided, value2 will be used."
            ),
            placeholder="Leave empty to use value2, or enter a specific value",
            default=None,
        )

    class Output(BlockSchemaOutput):
        result: bool = SchemaField(description="The result of the condition evaluation (True or False)")
        yes_output: Any = SchemaField(description="The output value if the condition is true")
        no_output: Any = SchemaField(description="The output value if the condition is false")

    def __init__(self) -> None:
        super().__init__(
            id="715696a0-e1da-45c8-b209-c2fa9c3b0be6",
            input_schema=ConditionBlock.Input,
            output_schema=ConditionBlock.Output,
            description="Handles conditional logic based on comparison operators",
            categories={BlockCategory.LOGIC},
            test_input={
                "value1": 10,
                "operator": ComparisonOperator.GREATER_THAN.value,
                "value2": 5,
                "yes_value": "Greater",
                "no_value": "Not greater",
            },
            test_output=[("result", True), ("yes_output", "Greater")],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        value1 = _numeric_if_possible(input_data.value1)
        value2 = _numeric_if_possible(input_data.value2)
        try:
            result = bool(_COMPARATORS[ComparisonOperator(input_data.operator)](value1, value2))
        except Exception as exc:
            raise ValueError(f"Comparison failed: {exc}") from exc
        yield "result", result
        if result:
            yield "yes_output", input_data.yes_value if input_data.yes_value is not None else value1
        else:
            yield "no_output", input_data.no_value if input_data.no_value is not None else value2


class IfInputMatchesBlock(Block):
    class Input(BlockSchemaInput):
        input: Any = SchemaField(
            description="The input to match against", placeholder="For example: 10 or 'hello' or True"
        )
        value: Any = SchemaField(
            description="The value to output if the input matches",
            placeholder="For example: 'Greater' or 20 or False",
        )
        yes_value: Any = SchemaField(
            description="The value to output if the input matches",
            placeholder="For example: 'Greater' or 20 or False",
            default=None,
        )
        no_value: Any = SchemaField(
            description="The value to output if the input does not match",
            placeholder="For example: 'Greater' or 20 or False",
            default=None,
        )

    Output = ConditionBlock.Output  # same pins: result, then yes_output or no_output

    def __init__(self) -> None:
        super().__init__(
            id="6dbbc4b3-ca6c-42b6-b508-da52d23e13f2",
            input_schema=IfInputMatchesBlock.Input,
            output_schema=IfInputMatchesBlock.Output,
            description="Handles conditional logic based on comparison operators",
            categories={BlockCategory.LOGIC},
            test_input=[
                {"input": 10, "value": 10, "yes_value": "Greater", "no_value": "Not greater"},
                {"input": 10, "value": 20, "yes_value": "Greater", "no_value": "Not greater"},
                {"input": 10, "value": "None", "yes_value": "Yes", "no_value": "No"},
            ],
            test_output=[
                ("result", True),
                ("yes_output", "Greater"),
                ("result", False),
                ("no_output", "Not greater"),
                ("result", False),
                ("no_output", "No"),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        from agentplatform.engine.convert import convert

        value = input_data.value
        if input_data.input != value and input_data.input is not None:
            try:
                value = convert(value, type(input_data.input))
            except Exception:  # best effort, as upstream: compare unconverted
                value = input_data.value
        if input_data.input == value:
            yield "result", True
            yield "yes_output", input_data.yes_value
        else:
            yield "result", False
            yield "no_output", input_data.no_value
