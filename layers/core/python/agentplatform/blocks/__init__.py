"""The block SDK (``Block``, ``SchemaField``, schemas) and the block registry.

Block authors import everything they need from here::

    from agentplatform.blocks import Block, BlockCategory, BlockOutput, SchemaField
"""

from agentplatform.blocks.block import (
    Block,
    BlockCategory,
    BlockCost,
    BlockCostType,
    BlockError,
    BlockExecutionError,
    BlockInput,
    BlockInputError,
    BlockManualWebhookConfig,
    BlockOutput,
    BlockOutputError,
    BlockType,
    BlockUnknownError,
    BlockWebhookConfig,
    CompletedBlockOutput,
)
from agentplatform.blocks.schema import (
    BlockSchema,
    BlockSchemaInput,
    BlockSchemaOutput,
    EmptySchema,
    SchemaField,
)

__all__ = [
    "Block",
    "BlockCategory",
    "BlockCost",
    "BlockCostType",
    "BlockError",
    "BlockExecutionError",
    "BlockInput",
    "BlockInputError",
    "BlockManualWebhookConfig",
    "BlockOutput",
    "BlockOutputError",
    "BlockSchema",
    "BlockSchemaInput",
    "BlockSchemaOutput",
    "BlockType",
    "BlockUnknownError",
    "BlockWebhookConfig",
    "CompletedBlockOutput",
    "EmptySchema",
    "SchemaField",
]
