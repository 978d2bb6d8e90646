"""``Block.execute()``: input validation, the error pin, output checks, error mapping."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from agentplatform.blocks import (
    Block,
    BlockExecutionError,
    BlockInputError,
    BlockOutput,
    BlockOutputError,
    BlockSchemaInput,
    BlockSchemaOutput,
    BlockType,
    BlockUnknownError,
    SchemaField,
)
from agentplatform.blocks.testing import BlockVectorMismatch, run_block_vector

BLOCK_ID = "0b9a3f0e-2f43-4d7e-9b0a-4d0f5e6a7b8c"


class ProbeBlock(Block):
    """Behaves according to ``mode``; for testing the execute() wrapper."""

    class Input(BlockSchemaInput):
        mode: str = SchemaField(description="what to do")
        count: int = SchemaField(description="a number", default=1)

    class Output(BlockSchemaOutput):
        number: int = SchemaField(description="an int")
        anything: Any = SchemaField(description="any value")

    def __init__(self, block_type: BlockType = BlockType.STANDARD, **kwargs: Any):
        super().__init__(
            id=BLOCK_ID,
            input_schema=ProbeBlock.Input,
            output_schema=ProbeBlock.Output,
            block_type=block_type,
            **kwargs,
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        mode = input_data.mode
        if mode == "ok":
            yield "number", input_data.count
            yield "anything", kwargs.get("user_id")
        elif mode == "error_pin":
            yield "number", 1
            yield "error", "went wrong"
        elif mode == "bad_output":
            yield "number", "not a number"
        elif mode == "object_output":
            yield "anything", object()
        elif mode == "unknown_pin":
            yield "nope", 1
        elif mode == "value_error":
            raise ValueError("bad value")
        else:
            raise KeyError("boom")


def collect(block: Block, data: dict[str, Any], **kwargs: Any) -> list[tuple[str, Any]]:
    async def go() -> list[tuple[str, Any]]:
        return [pair async for pair in block.execute(data, **kwargs)]

    return asyncio.run(go())


def test_outputs_in_yield_order_and_kwargs_reach_run():
    assert collect(ProbeBlock(), {"mode": "ok", "count": 3}, user_id="u1") == [
        ("number", 3),
        ("anything", "u1"),
    ]


def test_none_inputs_are_dropped_so_defaults_apply():
    assert collect(ProbeBlock(), {"mode": "ok", "count": None})[0] == ("number", 1)


def test_invalid_input_raises_block_input_error():
    with pytest.raises(BlockInputError) as info:
        collect(ProbeBlock(), {"mode": "ok", "count": "three"})
    assert str(info.value).startswith(
        "raised by ProbeBlock with message: Unable to execute block with invalid input data: "
    )
    assert str(info.value).endswith(f". block_id: {BLOCK_ID}")


def test_missing_required_input_raises_block_input_error():
    with pytest.raises(BlockInputError, match="'mode' is a required property"):
        collect(ProbeBlock(), {})


def test_error_pin_raises_with_the_upstream_message_format():
    with pytest.raises(BlockExecutionError) as info:
        collect(ProbeBlock(), {"mode": "error_pin"})
    assert str(info.value) == f"raised by ProbeBlock with message: went wrong. block_id: {BLOCK_ID}"
    assert info.value.raw_message == "went wrong"


def test_standard_block_outputs_are_validated():
    with pytest.raises(BlockOutputError, match="Block produced an invalid output data"):
        collect(ProbeBlock(), {"mode": "bad_output"})


def test_undeclared_output_pin_is_an_output_error():
    with pytest.raises(BlockOutputError, match="Invalid property name nope"):
        collect(ProbeBlock(), {"mode": "unknown_pin"})


def test_any_pin_accepts_non_json_values():
    [(pin, value)] = collect(ProbeBlock(), {"mode": "object_output"})
    assert pin == "anything"
    assert type(value) is object


def test_non_standard_blocks_skip_output_validation():
    assert collect(ProbeBlock(BlockType.INPUT), {"mode": "bad_output"}) == [("number", "not a number")]


def test_value_error_becomes_block_execution_error():
    with pytest.raises(BlockExecutionError, match="raised by ProbeBlock with message: bad value"):
        collect(ProbeBlock(), {"mode": "value_error"})


def test_other_exceptions_become_block_unknown_error():
    with pytest.raises(BlockUnknownError, match="raised by ProbeBlock with message: 'boom'"):
        collect(ProbeBlock(), {"mode": "explode"})


class VectorProbeBlock(ProbeBlock):
    def __init__(self, test_output: Any = None) -> None:
        super().__init__(
            test_input=[{"mode": "ok", "count": 2}, {"mode": "ok"}],
            test_output=test_output
            if test_output is not None
            else [("number", 2), ("anything", str), ("number", lambda n: n == 1), ("anything", str)],
        )


def test_vector_runner_accepts_equality_types_and_predicates():
    assert len(asyncio.run(run_block_vector(VectorProbeBlock()))) == 4


@pytest.mark.parametrize(
    ("expected", "message"),
    [
        ([("number", 2), ("anything", str), ("number", 1)], "unexpected extra output"),
        (
            [("number", 2), ("anything", str), ("number", 1), ("anything", str), ("number", 5)],
            "produced 4 outputs",
        ),
        ([("number", 3)], "output #0 was number=2"),
        ([("anything", 2)], "expected anything=2"),
        ([("number", 2), ("anything", int)], "output #1"),
        ([("number", lambda n: n > 5)], "output #0"),
    ],
)
def test_vector_runner_rejects_mismatches(expected, message):
    class MismatchBlock(VectorProbeBlock):
        def __init__(self) -> None:
            super().__init__(test_output=expected)

    with pytest.raises(BlockVectorMismatch, match=message):
        asyncio.run(run_block_vector(MismatchBlock()))


def test_vector_runner_applies_test_mock_on_a_fresh_instance():
    class MockedBlock(ProbeBlock):
        def __init__(self) -> None:
            super().__init__(
                test_input={"mode": "ok"},
                test_output=[("number", 42)],
                test_mock={"lookup": lambda: 42},
            )

        async def lookup(self) -> int:
            raise AssertionError("the real method must not run")

        async def run(self, input_data: Any, **kwargs: Any) -> BlockOutput:
            yield "number", await self.lookup()

    block = MockedBlock()
    assert asyncio.run(run_block_vector(block)) == [("number", 42)]
    assert "lookup" not in vars(block)  # the registry's instance stays unpatched
