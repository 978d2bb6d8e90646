"""Tool definitions for SmartDecisionMaker, built from the links leaving its ``tools``
pin, and the bookkeeping of tool calls inside a conversation.

Each sink node wired to ``tools`` becomes one function: named after the node's custom
name or its block, described by the block, with one parameter per linked sink pin.
A call's arguments come back out as ``tools_^_{sink_node_id}_~_{pin}`` outputs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentplatform.engine.pins import TOOL_PREFIX

if TYPE_CHECKING:
    from agentplatform.models.graph import BaseGraph, Link, Node

_SCHEMA_KEYS = ("type", "description", "enum", "items", "properties", "required", "anyOf", "format")


def cleanup(name: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]", "_", name).lower()


@dataclass
class ToolTarget:
    sink_node_id: str
    field_mapping: dict[str, str] = field(default_factory=dict)  # parameter name -> sink pin
    required: set[str] = field(default_factory=set)


def is_tool_link(link: Link, node_id: str) -> bool:
    return link.source_id == node_id and (
        link.source_name == "tools" or link.source_name.startswith(TOOL_PREFIX)
    )


def _clean_schema(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k in _SCHEMA_KEYS}


def _agent_signature(node: Node) -> tuple[str, str, dict[str, Any]]:
    defaults = node.input_default
    name = (
        node.metadata.get("customized_name")
        or defaults.get("agent_name")
        or defaults.get("graph_name")
        or "agent"
    )
    description = str(
        defaults.get("description") or defaults.get("agent_description") or f"Run the agent {name}"
    )
    return str(name), description, (defaults.get("input_schema") or {}).get("properties", {})


def _param_schema(node: Node, pin: str) -> tuple[dict[str, Any], bool]:
    """The JSON schema of ``pin`` on ``node`` and whether the pin is required."""
    from agentplatform.blocks.block import BlockType
    from agentplatform.blocks.registry import get_block
    from agentplatform.engine.pins import sanitize_pin_name

    block = get_block(node.block_id)
    if block is None:
        return {"type": "string", "description": f"The {pin} of the tool"}, True
    if block.block_type == BlockType.AGENT:
        _, _, props = _agent_signature(node)
        schema = dict(props.get(pin) or {})
        required = pin in ((node.input_default.get("input_schema") or {}).get("required") or [])
    else:
        base = sanitize_pin_name(pin)
        props = block.input_schema.jsonschema().get("properties", {})
        schema = dict(props.get(base) or {})
        if base != pin:  # a dynamic sub-pin: its value type is the container's element type
            schema = dict(schema.get("additionalProperties") or schema.get("items") or {})
        required = base in block.input_schema.get_required_fields()
    schema = _clean_schema(schema)
    schema.setdefault("description", f"The {pin} of the tool")
    return schema, required


def _signature(node: Node, pins: list[str]) -> tuple[str, dict[str, Any], ToolTarget]:
    from agentplatform.blocks.block import BlockType
    from agentplatform.blocks.registry import get_block

    block = get_block(node.block_id)
    if block is not None and block.block_type == BlockType.AGENT:
        name, description, _ = _agent_signature(node)
    else:
        name = str(node.metadata.get("customized_name") or (block.name if block else node.block_id))
        description = block.description if block else ""
    target = ToolTarget(sink_node_id=node.id)
    properties: dict[str, Any] = {}
    for pin in pins:
        param = cleanup(pin)
        target.field_mapping[param] = pin
        properties[param], required = _param_schema(node, pin)
        if required:
            target.required.add(param)
    function: dict[str, Any] = {
        "name": cleanup(name),
        "description": description,
        "parameters": {
            "type": "object",
            "properties": properties,
            "required": sorted(target.required),
            "additionalProperties": False,
        },
    }
    return str(function["name"]), function, target


def build_tools(graph: BaseGraph, node_id: str) -> tuple[list[dict[str, Any]], dict[str, ToolTarget]]:
    """(tool definitions in the OpenAI shape, tool name -> where its arguments go)."""
    nodes = {node.id: node for node in graph.nodes}
    pins_by_sink: dict[str, list[str]] = {}
    for link in graph.links:
        if is_tool_link(link, node_id) and link.sink_id in nodes:
            pins = pins_by_sink.setdefault(link.sink_id, [])
            if link.sink_name not in pins:
                pins.append(link.sink_name)
    tools: list[dict[str, Any]] = []
    targets: dict[str, ToolTarget] = {}
    for sink_id, pins in pins_by_sink.items():
        name, function, target = _signature(nodes[sink_id], pins)
        unique, n = name, 1
        while unique in targets:  # two sinks of the same block need distinct tool names
            unique, n = f"{name}_{n}", n + 1
        function["name"] = unique
        targets[unique] = target
        tools.append({"type": "function", "function": function})
    return tools, targets


def find_node_graph(graph: BaseGraph, node_id: str) -> BaseGraph | None:
    """``graph`` or the sub-graph that holds ``node_id``."""
    for candidate in [graph, *getattr(graph, "sub_graphs", [])]:
        if any(node.id == node_id for node in candidate.nodes):
            return candidate
    return None


def _tool_call_ids(message: dict[str, Any]) -> list[str]:
    if message.get("role") != "assistant":
        return []
    ids = [str(call.get("id")) for call in message.get("tool_calls") or [] if isinstance(call, dict)]
    content = message.get("content")
    if isinstance(content, list):
        ids += [str(b.get("id")) for b in content if isinstance(b, dict) and b.get("type") == "tool_use"]
    return ids


def _tool_result_ids(message: dict[str, Any]) -> list[str]:
    if message.get("role") == "tool" and message.get("tool_call_id"):
        return [str(message["tool_call_id"])]
    content = message.get("content")
    if isinstance(content, list):
        return [
            str(b.get("tool_use_id"))
            for b in content
            if isinstance(b, dict) and b.get("type") == "tool_result"
        ]
    return []


def pending_tool_calls(conversation: list[Any]) -> list[str]:
    """Ids of tool calls in ``conversation`` that have no result yet, oldest first."""
    pending: list[str] = []
    for message in conversation:
        if not isinstance(message, dict):
            continue
        pending.extend(_tool_call_ids(message))
        for answered in _tool_result_ids(message):
            if answered in pending:
                pending.remove(answered)
    return pending


def tool_result_message(call_id: str, output: Any) -> dict[str, Any]:
    """A tool result in the format of the provider that issued ``call_id``."""
    content = output if isinstance(output, str) else json.dumps(output, default=str)
    if call_id.startswith("toolu_"):  # Anthropic's tool_use ids
        return {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": call_id, "content": content}],
        }
    return {"role": "tool", "tool_call_id": call_id, "content": content}
