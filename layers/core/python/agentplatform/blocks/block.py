"""The ``Block`` base class: what a block declares and how it is executed.

A block author subclasses ``Block``, declares ``Input``/``Output`` schemas and writes
``run()`` as an async generator of ``(pin, value)`` pairs. The platform calls
``execute()``, which validates input, runs the block and validates each output.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from agentplatform.blocks.schema import BlockSchema

BlockInput = dict[str, Any]
BlockOutputEntry = tuple[str, Any]
BlockOutput = AsyncGenerator[BlockOutputEntry, None]
CompletedBlockOutput = dict[str, list[Any]]


class BlockType(enum.Enum):
    STANDARD = "Standard"
    INPUT = "Input"
    OUTPUT = "Output"
    NOTE = "Note"
    WEBHOOK = "Webhook"
    WEBHOOK_MANUAL = "Webhook (manual)"
    AGENT = "Agent"
    AI = "AI"
    AYRSHARE = "Ayrshare"
    HUMAN_IN_THE_LOOP = "Human In The Loop"


class BlockCategory(enum.Enum):
    AI = "Block that leverages AI to perform a task."
    SOCIAL = "Block that interacts with social media platforms."
    TEXT = "Block that processes text data."
    SEARCH = "Block that searches or extracts information from the internet."
    BASIC = "Block that performs basic operations."
    INPUT = "Block that interacts with input of the graph."
    OUTPUT = "Block that interacts with output of the graph."
    LOGIC = "Programming logic to control the flow of your agent"
    COMMUNICATION = "Block that interacts with communication platforms."
    DEVELOPER_TOOLS = "Developer tools such as GitHub blocks."
    DATA = "Block that interacts with structured data."
    HARDWARE = "Block that interacts with hardware."
    AGENT = "Block that interacts with other agents."
    CRM = "Block that interacts with CRM services."
    SAFETY = "Block that provides AI safety mechanisms such as detecting harmful content"
    PRODUCTIVITY = "Block that helps with productivity"
    ISSUE_TRACKING = "Block that helps with issue tracking"
    MULTIMEDIA = "Block that interacts with multimedia content"
    MARKETING = "Block that helps with marketing"

    def as_dict(self) -> dict[str, str]:
        return {"category": self.name, "description": self.value}


class BlockCostType(enum.StrEnum):
    RUN = "run"
    BYTE = "byte"
    SECOND = "second"


@dataclass(frozen=True)
class BlockCost:
    cost_amount: int
    cost_filter: dict[str, Any] = field(default_factory=dict)
    cost_type: BlockCostType = BlockCostType.RUN

    def as_dict(self) -> dict[str, Any]:
        return {
            "cost_amount": self.cost_amount,
            "cost_filter": self.cost_filter,
            "cost_type": self.cost_type.value,
        }


class BlockError(Exception):
    """A failure attributed to a block; the message names the block, as upstream."""

    def __init__(self, message: str, block_name: str, block_id: str):
        super().__init__(f"raised by {block_name} with message: {message}. block_id: {block_id}")
        self.raw_message = message


class BlockInputError(BlockError, ValueError):
    """The input failed validation."""


class BlockExecutionError(BlockError, ValueError):
    """The block yielded ``error`` or raised a ValueError."""


class BlockOutputError(BlockError, ValueError):
    """A yielded value does not match the output pin's schema."""


class BlockUnknownError(BlockError):
    """The block raised something unexpected."""


# JSON-schema keywords that restrict a value; a pin schema with none of them accepts anything.
_CONSTRAINING_KEYS = frozenset(
    {"type", "enum", "const", "anyOf", "oneOf", "allOf", "not", "properties", "items", "required"}
)


def _opaque(value: Any) -> Any:
    """JSON stand-in for objects pydantic cannot serialize (checked as plain objects)."""
    return dict(vars(value)) if hasattr(value, "__dict__") else str(value)


@dataclass(frozen=True)
class BlockWebhookConfig:
    """A trigger block: a webhook of ``provider`` feeds its ``payload`` input.

    The platform registers this kind with the provider (e.g. a GitHub repository hook)
    using the node's credentials; ``resource_format`` names the watched resource.
    """

    provider: str
    webhook_type: str
    resource_format: str = ""
    event_filter_input: str = ""  # the input holding which events to trigger on
    event_format: str = "{event}"


@dataclass(frozen=True)
class BlockManualWebhookConfig(BlockWebhookConfig):
    """A trigger block whose webhook the user points a service at themselves."""


In = TypeVar("In", bound=BlockSchema)
Out = TypeVar("Out", bound=BlockSchema)
TestOutput = tuple[str, Any] | list[tuple[str, Any]]


class Block(Generic[In, Out]):
    """Base class of every block. Subclasses call ``super().__init__`` with metadata."""

    # Keyword arguments run() receives from the engine; listed here for block authors.
    EXECUTION_KWARGS: ClassVar[tuple[str, ...]] = (
        "graph_id",
        "graph_version",
        "node_id",
        "graph_exec_id",
        "node_exec_id",
        "user_id",
        "execution_context",
    )

    def __init__(
        self,
        id: str = "",
        description: str = "",
        contributors: list[str] | None = None,
        categories: set[BlockCategory] | None = None,
        input_schema: type[In] = BlockSchema,  # type: ignore[assignment]
        output_schema: type[Out] = BlockSchema,  # type: ignore[assignment]
        test_input: BlockInput | list[BlockInput] | None = None,
        test_output: TestOutput | None = None,
        test_mock: Mapping[str, Callable[..., Any]] | None = None,
        test_credentials: Any = None,
        disabled: bool = False,
        static_output: bool = False,
        block_type: BlockType = BlockType.STANDARD,
        costs: list[BlockCost] | None = None,
        is_sensitive_action: bool = False,
        webhook_config: BlockWebhookConfig | None = None,
    ):
        self.id = id
        self.description = description
        self.contributors = list(contributors or [])
        self.categories = set(categories or ())
        self.input_schema = input_schema
        self.output_schema = output_schema
        self.test_input = test_input
        self.test_output = test_output
        self.test_mock = dict(test_mock or {})
        self.test_credentials = test_credentials
        self.disabled = disabled
        self.static_output = static_output
        self.block_type = block_type
        self.costs = list(costs or [])
        self.is_sensitive_action = is_sensitive_action
        self.webhook_config = webhook_config
        if webhook_config is not None:  # as upstream: the config decides the trigger's type
            manual = isinstance(webhook_config, BlockManualWebhookConfig)
            self.block_type = BlockType.WEBHOOK_MANUAL if manual else BlockType.WEBHOOK

    @property
    def name(self) -> str:
        return type(self).__name__

    async def run(self, input_data: In, **kwargs: Any) -> BlockOutput:
        """Yield ``(pin, value)`` pairs. Override in every block."""
        raise NotImplementedError
        yield  # pragma: no cover - makes this an async generator

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "inputSchema": self.input_schema.jsonschema(),
            "outputSchema": self.output_schema.jsonschema(),
            "description": self.description,
            "categories": [c.as_dict() for c in sorted(self.categories, key=lambda c: c.name)],
            "contributors": [{"name": name} for name in self.contributors],
            "staticOutput": self.static_output,
            "uiType": self.block_type.value,
        }

    def _error(self, kind: type[BlockError], message: str) -> BlockError:
        return kind(message, self.name, self.id)

    async def execute(self, input_data: BlockInput, **kwargs: Any) -> BlockOutput:
        """Validate, run and check outputs, mapping failures to ``BlockError``s."""
        try:
            async for pin, value in self._execute(input_data, **kwargs):
                yield pin, value
        except BlockError:
            raise
        except ValueError as exc:
            raise self._error(BlockExecutionError, str(exc)) from exc
        except Exception as exc:
            raise self._error(BlockUnknownError, str(exc) or type(exc).__name__) from exc

    async def _execute(self, input_data: BlockInput, **kwargs: Any) -> BlockOutput:
        error = self.input_schema.validate_data(input_data)
        if error:
            raise self._error(BlockInputError, f"Unable to execute block with invalid input data: {error}")
        parsed = self.input_schema(**{k: v for k, v in input_data.items() if v is not None})
        async for pin, value in self.run(parsed, **kwargs):
            if pin == "error":
                raise self._error(BlockExecutionError, str(value))
            if self.block_type == BlockType.STANDARD:
                self._check_output(pin, value)
            yield pin, value

    def _check_output(self, pin: str, value: Any) -> None:
        try:
            schema = self.output_schema.get_field_schema(pin)
        except ValueError as exc:
            raise self._error(BlockOutputError, f"Block produced an invalid output data: {exc}") from None
        if not _CONSTRAINING_KEYS.intersection(schema):
            return  # an ``Any`` pin: nothing to check, and the value need not be JSON
        from pydantic_core import to_jsonable_python

        from agentplatform.blocks.validation import validation_error

        try:
            error = validation_error(to_jsonable_python(value, fallback=_opaque), schema)
        except ValueError as exc:
            error = str(exc)
        if error:
            raise self._error(BlockOutputError, f"Block produced an invalid output data: {error}")
