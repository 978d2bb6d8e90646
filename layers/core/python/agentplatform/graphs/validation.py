"""Graph validation: structure (blocks, links, pins) and required inputs per node.

Every problem is collected per node and reported together as one
``GraphValidationError``, so a client can highlight all broken nodes at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from agentplatform.blocks.block import Block, BlockType
from agentplatform.blocks.registry import get_block
from agentplatform.engine.pins import DICT_SPLIT, LIST_SPLIT, sanitize_pin_name
from agentplatform.errors import GraphValidationError
from agentplatform.models.graph import BaseGraph, Link

NodeErrors = dict[str, dict[str, str]]

# Block types whose required inputs must be present already when a graph is saved.
_CHECKED_ON_SAVE = (BlockType.INPUT, BlockType.OUTPUT, BlockType.AGENT)


def _add(errors: NodeErrors, node_id: str, field: str, message: str) -> None:
    errors.setdefault(node_id, {}).setdefault(field, message)


def _pin_names(block: Block, node_defaults: dict[str, Any], side: str) -> set[str]:
    if block.block_type == BlockType.AGENT:  # a sub-graph's pins are its own schemas
        schema = node_defaults.get("input_schema" if side == "input" else "output_schema") or {}
        return set(schema.get("properties", {}))
    schema = block.input_schema if side == "input" else block.output_schema
    return schema.get_fields()


def _schema_types(prop: Mapping[str, Any]) -> set[str]:
    types = {prop.get("type")} | {option.get("type") for option in prop.get("anyOf", [])}
    return {t for t in types if isinstance(t, str)}


def dynamic_pin_syntax(block: Block, side: str) -> list[str]:
    """How links address the parts of a block's dict and list pins (``values_#_<key>``)."""
    if block.block_type == BlockType.AGENT:
        return []
    schema = block.input_schema if side == "input" else block.output_schema
    credentials = set(block.input_schema.get_credentials_fields()) if side == "input" else set()
    syntax = []
    for name, prop in sorted(schema.jsonschema().get("properties", {}).items()):
        types = _schema_types(prop)
        if name in credentials:
            continue
        if "object" in types and not prop.get("properties"):
            syntax.append(f"{name}{DICT_SPLIT}<key>")
        if "array" in types:
            syntax.append(f"{name}{LIST_SPLIT}<index>")
    return syntax


def _invalid_pin(link: Link, pin: str, allowed: set[str], dynamic: list[str]) -> str:
    message = (
        f"Link ({link.source_id},{link.source_name}) <-> ({link.sink_id},{link.sink_name}), "
        f"`{pin}` invalid, Allowed fields: {sorted(allowed)}"
    )
    if dynamic:
        message += f". Dynamic pins: {', '.join(f'`{p}`' for p in dynamic)}"
    return message


def _check_link(
    link: Link, blocks: Mapping[str, tuple[Block, dict]], unavailable: set[str], errors: NodeErrors
) -> None:
    for end_id, pin, side in (
        (link.source_id, link.source_name, "output"),
        (link.sink_id, link.sink_name, "input"),
    ):
        if end_id in unavailable:
            continue  # the node is there but its block is not: reported once, on the node
        if end_id not in blocks:
            field = link.sink_name if side == "output" else link.source_name
            owner = link.sink_id if side == "output" else link.source_id
            _add(errors, owner, field, f"Link endpoint node #{end_id} does not exist")
            continue
        block, defaults = blocks[end_id]
        allowed = _pin_names(block, defaults, side)
        if sanitize_pin_name(pin) not in allowed:
            _add(errors, end_id, pin, _invalid_pin(link, pin, allowed, dynamic_pin_syntax(block, side)))


def _check_structure(
    graph: BaseGraph, errors: NodeErrors, missing_blocks: dict[str, None]
) -> dict[str, tuple[Block, dict]]:
    blocks: dict[str, tuple[Block, dict]] = {}
    unavailable: set[str] = set()
    seen: set[str] = set()
    for node in graph.nodes:
        if node.id in seen:
            _add(errors, node.id, "id", "Duplicate node id: every node of a graph needs its own id")
            continue
        seen.add(node.id)
        block = get_block(node.block_id)
        if block is None:
            _add(errors, node.id, "block_id", f"Block #{node.block_id} not found.")
            unavailable.add(node.id)
            missing_blocks[node.block_id] = None
        else:
            blocks[node.id] = (block, node.input_default)
    for link in graph.links:
        _check_link(link, blocks, unavailable, errors)
        source = blocks.get(link.source_id)
        if source is not None and source[0].static_output:
            link.is_static = True  # upstream forces this when the graph is saved
    return blocks


def _check_inputs(
    graph: BaseGraph,
    blocks: Mapping[str, tuple[Block, dict]],
    errors: NodeErrors,
    for_run: bool,
    input_masks: Mapping[str, Mapping[str, Any]],
) -> None:
    linked = {(link.sink_id, sanitize_pin_name(link.sink_name)) for link in graph.links}
    for node in graph.nodes:
        if node.id not in blocks:
            continue
        block, defaults = blocks[node.id]
        if block.block_type == BlockType.INPUT:
            name = str(defaults.get("name", ""))
            if name == "credentials" or name.endswith("_credentials"):
                _add(errors, node.id, "name", "Input name cannot be 'credentials' or end with '_credentials'")
        if not for_run and block.block_type not in _CHECKED_ON_SAVE:
            continue
        provided = {k for k, v in defaults.items() if v is not None}
        provided |= {sanitize_pin_name(k) for k in provided}
        provided |= set(input_masks.get(node.id, {}))
        credentials = set(block.input_schema.get_credentials_fields())
        for field in sorted(block.input_schema.get_required_fields() - credentials):
            if field not in provided and (node.id, field) not in linked:
                _add(errors, node.id, field, "This field is required")


def validate_graph(
    graph: BaseGraph,
    *,
    for_run: bool = False,
    input_masks: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """Raise ``GraphValidationError`` listing every problem; force static links."""
    validate_graphs([graph], for_run=for_run, input_masks=input_masks)


def validate_graphs(
    graphs: Sequence[BaseGraph],
    *,
    for_run: bool = False,
    input_masks: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """Validate a graph with its sub-graphs: one error for all of them, naming each block
    this platform does not have once."""
    errors: NodeErrors = {}
    missing_blocks: dict[str, None] = {}  # ordered, each id once
    for graph in graphs:
        blocks = _check_structure(graph, errors, missing_blocks)
        _check_inputs(graph, blocks, errors, for_run, input_masks or {})
    if errors:
        raise GraphValidationError.for_nodes(errors, unavailable_blocks=list(missing_blocks))
