"""Export cleaning: what ``GET /api/graphs/{id}?for_export=true`` strips."""

from __future__ import annotations

from agentplatform.blocks.block import BlockType
from agentplatform.blocks.registry import get_block
from agentplatform.models.graph import GraphModel

SENSITIVE_KEY_PARTS = ("credentials", "api_key", "password", "token", "secret")


def is_sensitive_key(key: str) -> bool:
    lowered = key.lower()
    return any(part in lowered for part in SENSITIVE_KEY_PARTS)


def _secret_fields(block_id: str) -> set[str]:
    block = get_block(block_id)
    if block is None:
        return set()
    props = block.input_schema.jsonschema().get("properties", {})
    return {name for name, schema in props.items() if schema.get("secret")}


def clean_for_export(graph: GraphModel) -> GraphModel:
    """A copy with secrets, webhook details and the owner removed."""
    exported = graph.model_copy(deep=True)
    exported.user_id = ""
    for node in [*exported.nodes, *(n for sub in exported.sub_graphs for n in sub.nodes)]:
        if True:
            secret_fields = _secret_fields(node.block_id)
            defaults = {
                k: v
                for k, v in node.input_default.items()
                if not is_sensitive_key(k) and k not in secret_fields
            }
            block = get_block(node.block_id)
            if block is not None and block.block_type == BlockType.INPUT and node.input_default.get("secret"):
                defaults.pop("value", None)
            node.input_default = defaults
            node.webhook_id = None
            node.webhook = None
    for sub in exported.sub_graphs:
        sub.user_id = ""
    return exported
