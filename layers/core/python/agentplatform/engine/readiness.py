"""``validate_exec``: is a node execution's input complete, and what is its merged input.

Used both to decide readiness (an execution is QUEUED only once this passes) and,
again at run time, to validate the queued input (spec §3.1).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from agentplatform.blocks.block import Block, BlockType
from agentplatform.engine.convert import ConversionError, convert, type_matches
from agentplatform.engine.pins import merge_execution_input
from agentplatform.models.graph import NodeModel


def _agent_schema(node: NodeModel) -> dict[str, Any]:
    return dict(node.input_default.get("input_schema") or {})


def _defaults(block: Block, node: NodeModel) -> dict[str, Any]:
    if block.block_type == BlockType.AGENT:  # a sub-graph's defaults are its preset inputs
        return dict(node.input_default.get("inputs") or {})
    return dict(block.input_schema.get_input_defaults(dict(node.input_default)))


def _coerce(block: Block, data: dict[str, Any]) -> None:
    for name, info in block.input_schema.model_fields.items():
        value = data.get(name)
        if value is None or type_matches(value, info.annotation):
            continue
        # Left as is when it cannot convert: schema validation reports the mismatch.
        with contextlib.suppress(ConversionError):
            data[name] = convert(value, info.annotation)


def _missing_and_mismatch(block: Block, node: NodeModel, data: dict[str, Any]) -> tuple[set[str], str | None]:
    if block.block_type == BlockType.AGENT:
        from agentplatform.blocks.validation import validation_error

        schema = _agent_schema(node)
        missing = set(schema.get("required", [])) - set(data)
        return missing, None if missing else validation_error(data, schema)
    missing = block.input_schema.get_missing_input(data)
    return missing, None if missing else block.input_schema.validate_data(data)


def validate_exec(
    node: NodeModel,
    block: Block,
    data: Mapping[str, Any],
    *,
    resolve_input: bool = True,
) -> tuple[dict[str, Any], str | None]:
    """The merged input and None when ``data`` makes ``node`` runnable, else the reason."""
    # The block decides which linked pins gate it (SmartDecisionMaker's tool-loop pins do not).
    linked = {link.sink_name for link in node.input_links}
    missing_links = block.input_schema.get_missing_links(dict(data), linked)
    if missing_links:
        return dict(data), f"{block.name} unpopulated links {sorted(missing_links)}"
    merged = {**_defaults(block, node), **data}
    if resolve_input:
        try:
            merged = merge_execution_input(merged)
        except ValueError as exc:
            return merged, str(exc)
    from agentplatform.integrations.resolve import should_skip_node

    if should_skip_node(block, node.metadata, merged):
        return merged, None  # runs as a skip: ends COMPLETED without running the block
    _coerce(block, merged)
    missing, mismatch = _missing_and_mismatch(block, node, merged)
    if missing:
        return merged, f"{block.name} missing input {sorted(missing)}"
    if mismatch:
        return merged, f"Input data missing or mismatch for `{block.name}`: {mismatch}"
    return merged, None
