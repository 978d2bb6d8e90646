"""Graph builders for tests (block ids are AutoGPT's)."""

from __future__ import annotations

from typing import Any

AGENT_INPUT = "c0a8e994-ebf1-4a9c-a4d8-89d09c86741b"
AGENT_OUTPUT = "363ae599-353e-4804-937e-b2ee3cef3da4"
STORE_VALUE = "1ff065e9-88e8-4358-9d82-8dc91f622ba9"


def node(node_id: str, block_id: str, **input_default: Any) -> dict[str, Any]:
    return {"id": node_id, "block_id": block_id, "input_default": input_default, "metadata": {}}


def link(source: str, source_name: str, sink: str, sink_name: str, static: bool = False) -> dict[str, Any]:
    return {
        "source_id": source,
        "source_name": source_name,
        "sink_id": sink,
        "sink_name": sink_name,
        "is_static": static,
    }


def input_store_output_graph(name: str = "Echo") -> dict[str, Any]:
    """AgentInput(x) -> StoreValue -> AgentOutput(y): the smallest useful agent."""
    return {
        "name": name,
        "description": "Echoes its input",
        "nodes": [
            node("in", AGENT_INPUT, name="x"),
            node("store", STORE_VALUE),
            node("out", AGENT_OUTPUT, name="y"),
        ],
        "links": [
            link("in", "result", "store", "input"),
            link("store", "output", "out", "value"),
        ],
    }
