"""Schemas computed from a graph's nodes: graph inputs, outputs and credentials."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from agentplatform.blocks.block import Block, BlockType
from agentplatform.blocks.credentials import credentials_field_key, node_credentials_schema
from agentplatform.blocks.registry import get_block

if TYPE_CHECKING:
    from agentplatform.models.graph import BaseGraph, GraphModel, Node


def _nodes_of_type(nodes: Iterable[Node], block_type: BlockType) -> list[tuple[Block, Node]]:
    found = []
    for node in nodes:
        block = get_block(node.block_id)
        if block is not None and block.block_type == block_type:
            found.append((block, node))
    return found


def _io_property(block: Block, node: Node) -> tuple[str, dict[str, Any], bool]:
    """One graph input/output property, keyed by the node's ``name``."""
    defaults = node.input_default
    name = str(defaults.get("name", ""))
    value = defaults.get("value")
    value_schema = block.input_schema.jsonschema().get("properties", {}).get("value", {})
    prop = {k: v for k, v in value_schema.items() if k not in ("description", "default", "title")}
    placeholders = defaults.get("placeholder_values")
    if placeholders:
        prop["enum"] = placeholders
    prop["secret"] = bool(defaults.get("secret", False))
    prop["advanced"] = bool(defaults.get("advanced", False)) and value is not None
    prop["title"] = defaults.get("title") or name
    if defaults.get("description"):
        prop["description"] = defaults["description"]
    if value is not None:
        prop["default"] = value
    return name, prop, value is None


def _io_schema(nodes: Iterable[Node], block_type: BlockType) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for block, node in _nodes_of_type(nodes, block_type):
        name, prop, is_required = _io_property(block, node)
        properties[name] = prop
        if is_required:
            required.append(name)
    return {"type": "object", "properties": properties, "required": required}


def input_schema(graph: GraphModel) -> dict[str, Any]:
    return _io_schema(graph.nodes, BlockType.INPUT)


def output_schema(graph: GraphModel) -> dict[str, Any]:
    return _io_schema(graph.nodes, BlockType.OUTPUT)


def credentials_fields(graphs: Iterable[BaseGraph]) -> dict[str, list[tuple[Node, str, dict]]]:
    """Every credentials input across ``graphs``, grouped by aggregated key."""
    grouped: dict[str, list[tuple[Node, str, dict]]] = {}
    for graph in graphs:
        for node in graph.nodes:
            block = get_block(node.block_id)
            if block is None:
                continue
            for field_name in block.input_schema.get_credentials_fields():
                schema = node_credentials_schema(block, field_name, node.input_default)
                key = credentials_field_key(schema)
                grouped.setdefault(key, []).append((node, field_name, schema))
    return grouped


def credentials_input_schema(graph: GraphModel) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for key, uses in credentials_fields([graph, *graph.sub_graphs]).items():
        properties[key] = uses[0][2]
        if any(not node.metadata.get("credentials_optional") for node, _, _ in uses):
            required.append(key)
    title = "".join(graph.name.split()) + "CredentialsInputSchema"
    return {"type": "object", "title": title, "properties": properties, "required": required}


def has_block_type(graph: GraphModel, *ui_types: str) -> bool:
    for node in graph.nodes:
        block = get_block(node.block_id)
        if block is not None and block.block_type.value in ui_types:
            return True
    return False


def has_sensitive_action(graph: GraphModel) -> bool:
    return any(
        (block := get_block(node.block_id)) is not None and block.is_sensitive_action for node in graph.nodes
    )


def webhook_trigger(graph: BaseGraph) -> tuple[Block, Node] | None:
    """The graph's webhook trigger node and its block (upstream ``webhook_input_node``)."""
    for block_type in (BlockType.WEBHOOK, BlockType.WEBHOOK_MANUAL):
        found = _nodes_of_type(graph.nodes, block_type)
        if found:
            return found[0]
    return None


def trigger_setup_info(graph: BaseGraph) -> dict[str, Any] | None:
    """``{provider, config_schema, credentials_input_name}`` of the trigger block, if any:
    what a client needs to set up a trigger preset (the schema without credentials)."""
    trigger = webhook_trigger(graph)
    block = trigger[0] if trigger else None
    if block is None or block.webhook_config is None:
        return None
    schema = block.input_schema.jsonschema()
    credentials = set(block.input_schema.get_credentials_fields())
    config_schema = {
        **schema,
        "properties": {k: v for k, v in schema.get("properties", {}).items() if k not in credentials},
        "required": [k for k in schema.get("required", []) if k not in credentials],
    }
    return {
        "provider": block.webhook_config.provider,
        "config_schema": config_schema,
        "credentials_input_name": next(iter(sorted(credentials)), None),
    }


def _register() -> None:
    import sys

    from agentplatform.models.graph import register_graph_schemas

    register_graph_schemas(sys.modules[__name__])


_register()
