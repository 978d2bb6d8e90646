"""The public agent exports that use the part-B service blocks: every such node fits its
block, the exports lack no other block than part A's, and the two that need only part-B
blocks (plus an LLM) import unchanged and run to COMPLETED against stubs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agentplatform.blocks.registry import get_block
from agentplatform.blocks.validation import validation_error
from agentplatform.engine.pins import sanitize_pin_name
from tests.support import service_fakes as fakes
from tests.support.credentials import kms_key
from tests.support.llm_stub import LLMStub, llm_stub, openai_text
from tests.support.runs import wait_for
from tests.support.service_stub import service_stubs

__all__ = ["kms_key", "llm_stub", "service_stubs"]

AGENTS = Path("/work/shared/reference/autogpt-agents")
EXPORTS = {
    "Unspirational Poster Maker": "agent_31daf49d-31d3-476b-aa4c-099abc59b458.json",
    "Automated SEO Blog Writer": "agent_55d40473-0f31-4ada-9e40-d3a7139fcbd4.json",
    "Flux AI Image Generator": "agent_d85882b8-633f-44ce-a315-c20a8c123d19.json",
    "Medium Blogger": "tpl_Medium_Blogger_v28.json",
    "AI Video Generator": "agent_a03b0d8c-4751-43d6-a54e-c3b7856ba4e3.json",
}
PART_B_BLOCKS = {
    "6ab085e2-20b3-4055-bc3e-08036e01eca6",  # IdeogramModelBlock
    "ed1ae7a0-b770-4089-b520-1f0005fad19a",  # AIImageGeneratorBlock
    "90f8c45e-e983-4644-aa0b-b4ebe2f531bc",  # ReplicateFluxAdvancedModelBlock
    "361697fb-0c4f-4feb-aed3-8320c88c771b",  # AIShortformVideoCreatorBlock
    "8f2e4d6a-1b3c-4a5e-9d7f-2c8e6a4b3f1d",  # DataForSeoRelatedKeywordsBlock
    "73c3e7c4-2b3f-4e9f-9e3e-8f7a5c3e2d45",  # DataForSeoKeywordSuggestionsBlock
    "ee4fe08c-18f9-442f-a985-235379b932e1",  # WordPressCreatePostBlock
    "3f7b2dcb-4a78-4e3f-b0f1-88132e1b89df",  # PublishToMediumBlock
    "42527e98-47b6-44ce-ac0e-86b4883721d3",  # AirtableCreateRecordsBlock
    "f59b88a8-54ce-4676-a508-fd614b4e8dce",  # AirtableCreateBaseBlock
    "bdbbaba0-03b7-4971-970e-699e2de6015e",  # FirecrawlCrawlBlock
    "d1774756-4d9e-40e6-bab1-47ec0ccd81b2",  # FirecrawlExtractBlock
    "f0f43e2b-c943-48a0-a7f1-40136ca4d3b9",  # FirecrawlMapWebsiteBlock
}
OPENAI_KEY = "sk-openai-stub-7a7a"
SERVICE_KEY = "r8-service-stub-3c3c"


def _export(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((AGENTS / EXPORTS[name]).read_text())
    return data


def _graphs():
    for path in sorted(AGENTS.glob("*.json")):
        export = json.loads(path.read_text())
        export = export.get("graph", export)
        for graph in [export, *(export.get("sub_graphs") or [])]:
            yield path.name, graph


def _part_b_nodes():
    for name, graph in _graphs():
        for node in graph["nodes"]:
            if node["block_id"] in PART_B_BLOCKS:
                yield pytest.param(node, graph, id=f"{name}:{node['id'][:8]}")


@pytest.mark.parametrize(("node", "graph"), list(_part_b_nodes()))
def test_export_node_fits_its_service_block(node, graph):
    block = get_block(node["block_id"])
    assert block is not None
    fields = block.input_schema.get_fields()
    saved = {k: v for k, v in node["input_default"].items() if k in fields and k != "credentials"}
    properties = block.input_schema.jsonschema()["properties"]
    assert (
        validation_error(saved, {"type": "object", "properties": {k: properties[k] for k in saved}}) is None
    )
    for link in graph["links"]:
        if link["sink_id"] == node["id"]:
            assert sanitize_pin_name(link["sink_name"]) in fields, link
        if link["source_id"] == node["id"]:
            assert sanitize_pin_name(link["source_name"]) in block.output_schema.get_fields(), link


def _credential(api: Any, provider: str, key: str, base_url: str | None = None) -> dict[str, Any]:
    body = {
        "type": "api_key",
        "api_key": key,
        "title": "stub",
        **({"base_url": base_url} if base_url else {}),
    }
    resp = api.post(f"/api/integrations/{provider}/credentials", json_body=body)
    assert resp.status_code == 201, resp.content
    return {"id": resp.json()["id"], "provider": provider, "type": "api_key", "title": "stub"}


def _import_and_run(api: Any, name: str, credentials: dict[str, Any]) -> dict[str, Any]:
    resp = api.post("/api/graphs", json_body={"graph": _export(name)})
    assert resp.status_code == 200, resp.content
    created = resp.json()
    assert sorted(created["credentials_input_schema"]["properties"]) == sorted(credentials)
    started = api.post(
        f"/api/graphs/{created['id']}/execute/{created['version']}",
        json_body={"inputs": {}, "credentials_inputs": credentials},
    )
    assert started.status_code == 200, started.content
    return wait_for(api, created["id"], started.json()["id"])


def test_flux_ai_image_generator_runs_to_completed(api, kms_key, llm_stub: LLMStub, service_stubs):
    stub = service_stubs("api.replicate.com")
    fake = fakes.install_replicate(
        stub, fakes.ReplicateFake(token=SERVICE_KEY, output="https://replicate.delivery/xezq/otto.png")
    )
    llm_stub.queue(openai_text("A purple octopus at a desk, shot on a Hasselblad, 85mm, soft light"))
    credentials = {
        "openai_api_key_credentials": _credential(api, "openai", OPENAI_KEY, llm_stub.openai_base_url),
        "replicate_api_key_credentials": _credential(api, "replicate", SERVICE_KEY),
    }

    run = _import_and_run(api, "Flux AI Image Generator", credentials)

    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {"Generated Image": ["https://replicate.delivery/xezq/otto.png"]}
    (llm_request,) = llm_stub.requests
    assert "Chief Automation Octopus" in llm_request.body["messages"][-1]["content"]
    (create,) = stub.calls("POST", "/v1/models/black-forest-labs/flux-1.1-pro/predictions")
    assert (
        create.json["input"]["prompt"] == "A purple octopus at a desk, shot on a Hasselblad, 85mm, soft light"
    )
    assert create.json["input"]["output_format"] == "png"
    assert len(fake.predictions) == 1
    assert SERVICE_KEY not in json.dumps(run) and OPENAI_KEY not in json.dumps(run)


def test_unspirational_poster_maker_runs_to_completed(api, kms_key, llm_stub: LLMStub, service_stubs):
    stub = service_stubs("api.ideogram.ai", "ideogram.ai")
    fakes.install_ideogram(stub, SERVICE_KEY)
    llm_stub.queue(openai_text('A pan of burnt toast. Text overlay: "Dinner is a state of mind."'))
    credentials = {
        "openai_api_key_credentials": _credential(api, "openai", OPENAI_KEY, llm_stub.openai_base_url),
        "ideogram_api_key_credentials": _credential(api, "ideogram", SERVICE_KEY),
    }

    run = _import_and_run(api, "Unspirational Poster Maker", credentials)

    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {"Generated Image": [f"{fakes.IDEOGRAM_IMAGES}/v3.png"] * 4}
    (llm_request,) = llm_stub.requests
    assert '"Cooking"' in llm_request.body["messages"][-1]["content"]
    posters = stub.calls("POST", "/v1/ideogram-v3/generate")
    assert [p.form["prompt"] for p in posters] == [
        ['A pan of burnt toast. Text overlay: "Dinner is a state of mind."']
    ] * 4
    assert SERVICE_KEY not in json.dumps(run)
