"""HumanInTheLoopBlock: pause the run until a person approves (or edits) or rejects data.

The engine does the pausing (engine/review.py): while the run's
``human_in_the_loop_safe_mode`` is on, this node first waits in REVIEW for a decision,
and then runs with it as the ``review_decision`` keyword argument. Without one (safe
mode off, or run outside a graph) the data passes as approved.
"""

from __future__ import annotations

from typing import Any

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    BlockType,
    SchemaField,
)

SAFE_MODE_OFF_MESSAGE = "Auto-approved (safe mode disabled)"


class HumanInTheLoopBlock(Block):
    """Pauses for review; yields ``approved_data`` (possibly edited) or ``rejected_data``."""

    class Input(BlockSchemaInput):
        data: Any = SchemaField(description="The data to be reviewed by a human user")
        name: str = SchemaField(description="A descriptive name for what this data represents")
        editable: bool = SchemaField(
            description="Whether the human reviewer can edit the data", default=True, advanced=True
        )

    class Output(BlockSchemaOutput):
        approved_data: Any = SchemaField(description="The data when approved (may be modified by reviewer)")
        rejected_data: Any = SchemaField(description="The data when rejected (may be modified by reviewer)")
        review_message: str = SchemaField(description="Any message provided by the reviewer", default="")

    def __init__(self) -> None:
        super().__init__(
            id="8b2a7b3c-6e9d-4a5f-8c1b-2e3f4a5b6c7d",
            description="Pause execution and wait for human approval or modification of data",
            categories={BlockCategory.BASIC},
            input_schema=HumanInTheLoopBlock.Input,
            output_schema=HumanInTheLoopBlock.Output,
            block_type=BlockType.HUMAN_IN_THE_LOOP,
            test_input={
                "data": {"name": "John Doe", "age": 30},
                "name": "User profile data",
                "editable": True,
            },
            test_output=[("approved_data", {"name": "John Doe", "age": 30})],
            test_mock={
                "review_decision": lambda **kwargs: _TestDecision(True, {"name": "John Doe", "age": 30}, "")
            },
        )

    def review_decision(self, **kwargs: Any) -> Any:
        """The reviewer's decision the engine passed in, if any."""
        return kwargs.get("review_decision")

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        decision = self.review_decision(**kwargs)
        if decision is None:
            yield "approved_data", input_data.data
            yield "review_message", SAFE_MODE_OFF_MESSAGE
            return
        yield ("approved_data" if decision.approved else "rejected_data"), decision.data
        if decision.message:
            yield "review_message", decision.message


class _TestDecision:
    """The shape of ``engine.review.ReviewDecision``, for the test vector."""

    def __init__(self, approved: bool, data: Any, message: str):
        self.approved, self.data, self.message = approved, data, message
