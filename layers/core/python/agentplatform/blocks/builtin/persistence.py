"""Persist and retrieve values across runs, per user (backed by the platform table)."""

from __future__ import annotations

import enum
from typing import Any

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)


class StorageScope(enum.StrEnum):
    WITHIN_AGENT = "within_agent"
    ACROSS_AGENTS = "across_agents"


def storage_key(key: str, scope: str, graph_id: str) -> str:
    """``global#<key>`` across agents, else ``agent#<graph id>#<key>`` (as upstream)."""
    if scope == StorageScope.ACROSS_AGENTS:
        return f"global#{key}"
    return f"agent#{graph_id}#{key}"


class PersistInformationBlock(Block):
    class Input(BlockSchemaInput):
        key: str = SchemaField(description="Key to store the information under")
        value: Any = SchemaField(description="Value to store")
        scope: StorageScope = SchemaField(
            description="Scope of persistence: within_agent (shared across all runs of this agent) or "
            "across_agents (shared across all agents for this user)",
            default=StorageScope.WITHIN_AGENT,
        )

    class Output(BlockSchemaOutput):
        value: Any = SchemaField(description="Value that was stored")

    def __init__(self) -> None:
        super().__init__(
            id="1d055e55-a2b9-4547-8311-907d05b0304d",
            description="Persist key-value information for the current user",
            categories={BlockCategory.DATA},
            input_schema=PersistInformationBlock.Input,
            output_schema=PersistInformationBlock.Output,
            test_input={
                "key": "user_preference",
                "value": {"theme": "dark", "language": "en"},
                "scope": "within_agent",
            },
            test_output=[("value", {"theme": "dark", "language": "en"})],
            test_mock={"_store_data": lambda *args, **kwargs: {"theme": "dark", "language": "en"}},
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        key = storage_key(input_data.key, input_data.scope, str(kwargs.get("graph_id", "")))
        yield (
            "value",
            self._store_data(
                str(kwargs.get("user_id", "")), str(kwargs.get("node_exec_id", "")), key, input_data.value
            ),
        )

    def _store_data(self, user_id: str, node_exec_id: str, key: str, data: Any) -> Any:
        from agentplatform.store.kv import put_value

        return put_value(user_id, key, data, node_exec_id)


class RetrieveInformationBlock(Block):
    class Input(BlockSchemaInput):
        key: str = SchemaField(description="Key to retrieve the information for")
        scope: StorageScope = SchemaField(
            description="Scope of persistence: within_agent (shared across all runs of this agent) or "
            "across_agents (shared across all agents for this user)",
            default=StorageScope.WITHIN_AGENT,
        )
        default_value: Any = SchemaField(
            description="Default value to return if key is not found", default=None
        )

    class Output(BlockSchemaOutput):
        value: Any = SchemaField(description="Retrieved value or default value")

    def __init__(self) -> None:
        super().__init__(
            id="d8710fc9-6e29-481e-a7d5-165eb16f8471",
            description="Retrieve key-value information for the current user",
            categories={BlockCategory.DATA},
            input_schema=RetrieveInformationBlock.Input,
            output_schema=RetrieveInformationBlock.Output,
            test_input={
                "key": "user_preference",
                "scope": "within_agent",
                "default_value": {"theme": "light", "language": "en"},
            },
            test_output=[("value", {"theme": "light", "language": "en"})],
            test_mock={"_retrieve_data": lambda *args, **kwargs: None},
            static_output=True,
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        key = storage_key(input_data.key, input_data.scope, str(kwargs.get("graph_id", "")))
        stored = self._retrieve_data(str(kwargs.get("user_id", "")), key)
        yield "value", input_data.default_value if stored is None else stored

    def _retrieve_data(self, user_id: str, key: str) -> Any:
        from agentplatform.store.kv import get_value

        return get_value(user_id, key)
