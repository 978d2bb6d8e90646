"""Every AI node in the public agent exports fits our AI blocks: its saved inputs
validate (model names included) and every link touching it names a real pin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentplatform.blocks.registry import get_block
from agentplatform.engine.pins import sanitize_pin_name

AGENTS = Path("/work/shared/reference/autogpt-agents")
AI_BLOCKS = {
    "1f292d4a-41a4-4977-9684-7c8d560b9f91",
    "ed55ac19-356e-4243-a6cb-bc599e9b716f",
    "a0a69be1-4528-491c-a85a-a4ab6873e3f0",
    "32a87eab-381e-4dd4-bdb8-4c47151be35a",
    "9c0b0450-d199-458b-a731-072189dd6593",
    "3b191d9f-356f-482d-8238-ba04b6d18381",
}


def _graphs():
    for path in sorted(AGENTS.glob("*.json")):
        export = json.loads(path.read_text())
        export = export.get("graph", export)
        for graph in [export, *(export.get("sub_graphs") or [])]:
            yield path.name, graph


def _ai_nodes():
    for name, graph in _graphs():
        for node in graph["nodes"]:
            if node["block_id"] in AI_BLOCKS:
                yield pytest.param(node, graph, id=f"{name}:{node['id'][:8]}")


@pytest.mark.parametrize(("node", "graph"), list(_ai_nodes()))
def test_export_ai_node_fits_the_block(node, graph):
    block = get_block(node["block_id"])
    assert block is not None
    fields = block.input_schema.get_fields()
    saved = {k: v for k, v in node["input_default"].items() if k in fields and k != "credentials"}
    schema = block.input_schema.jsonschema()
    props = {k: v for k, v in schema["properties"].items() if k in saved}
    from agentplatform.blocks.validation import validation_error

    assert validation_error(saved, {"type": "object", "properties": props}) is None
    for link in graph["links"]:
        if link["sink_id"] == node["id"]:
            assert sanitize_pin_name(link["sink_name"]) in fields, link
        if link["source_id"] == node["id"]:
            assert sanitize_pin_name(link["source_name"]) in block.output_schema.get_fields(), link
