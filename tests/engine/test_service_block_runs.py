"""Every part-B service block in a graph run on the local cloud, against loopback stubs
of its service (reached through ``OUTBOUND_HOST_OVERRIDES``), with credentials stored
through the integrations API (OAuth2 ones straight in the store, as no OAuth app is
configured here): one node per block succeeds, one node with a rejected secret ends
FAILED with an ``error`` output, and no secret appears anywhere in the run."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support import service_fakes as fakes
from tests.support.credentials import kms_key
from tests.support.graphs import node
from tests.support.runs import create_graph, node_ids, wait_for
from tests.support.service_stub import ServiceStub, add_credential, service_stubs

__all__ = ["kms_key", "service_stubs"]

KEY = "sk-live-0f9e8d7c6b5a"
WRONG = "sk-wrong-1a2b3c4d5e"
LOGIN, PASSWORD = "ada@example.com", "dfs-pass-5e6f7a8b"


@dataclass
class Case:
    """One service: its hosts, its stub, and the nodes to run (the last one fails)."""

    provider: str
    hosts: tuple[str, ...]
    install: Callable[[ServiceStub], Any]
    nodes: list[tuple[str, dict[str, Any], str]]  # (block id, inputs, pin it must output)
    failing: tuple[str, dict[str, Any], str]  # (block id, inputs, text its error must contain)
    secret_type: str = "api_key"
    extra: dict[str, Any] = field(default_factory=dict)


PAGES = [{"markdown": "# Home", "links": [], "metadata": {"sourceURL": "https://example.com"}}]
TABLE = {
    "id": "tbl1",
    "name": "Tickets",
    "fields": [{"id": "fld1", "name": "Subject", "type": "singleLineText"}],
}
MEDIUM = {
    "author_id": "1a2b3c",
    "title": "T",
    "content": "C",
    "content_format": "markdown",
    "tags": ["AI"],
    "publish_status": "draft",
}

CASES = [
    Case(
        "ideogram",
        ("api.ideogram.ai", "ideogram.ai"),
        lambda stub: fakes.install_ideogram(stub, KEY),
        [("6ab085e2-20b3-4055-bc3e-08036e01eca6", {"prompt": "A cat", "upscale": "AI Upscale"}, "result")],
        ("6ab085e2-20b3-4055-bc3e-08036e01eca6", {"prompt": "A cat"}, "Invalid or expired API key"),
    ),
    Case(
        "replicate",
        ("api.replicate.com",),
        lambda stub: fakes.install_replicate(
            stub, fakes.ReplicateFake(token=KEY, output="https://r.delivery/x.png")
        ),
        [
            ("90f8c45e-e983-4644-aa0b-b4ebe2f531bc", {"prompt": "dog"}, "result"),
            ("ed1ae7a0-b770-4089-b520-1f0005fad19a", {"prompt": "dog", "model": "Flux 1.1 Pro"}, "image_url"),
        ],
        ("ed1ae7a0-b770-4089-b520-1f0005fad19a", {"prompt": "dog"}, "Replicate API error 401"),
    ),
    Case(
        "revid",
        ("www.revid.ai",),
        lambda stub: fakes.install_revid(stub, fakes.RevidFake(key=KEY)),
        [("361697fb-0c4f-4feb-aed3-8320c88c771b", {"script": "[cat] Meow"}, "video_url")],
        ("361697fb-0c4f-4feb-aed3-8320c88c771b", {"script": "[cat] Meow"}, "revid.ai API error 401"),
    ),
    Case(
        "dataforseo",
        ("api.dataforseo.com",),
        lambda stub: fakes.install_dataforseo(stub, LOGIN, PASSWORD),
        [
            ("8f2e4d6a-1b3c-4a5e-9d7f-2c8e6a4b3f1d", {"keyword": "coffee"}, "related_keywords"),
            ("73c3e7c4-2b3f-4e9f-9e3e-8f7a5c3e2d45", {"keyword": "coffee"}, "suggestions"),
        ],
        ("73c3e7c4-2b3f-4e9f-9e3e-8f7a5c3e2d45", {"keyword": "coffee"}, "DataForSEO API error 401"),
        secret_type="user_password",
    ),
    Case(
        "wordpress",
        ("public-api.wordpress.com",),
        lambda stub: fakes.install_wordpress(stub, KEY),
        [
            (
                "ee4fe08c-18f9-442f-a985-235379b932e1",
                {"site": "b.wordpress.com", "title": "T", "content": "C"},
                "post_url",
            )
        ],
        (
            "ee4fe08c-18f9-442f-a985-235379b932e1",
            {"site": "b.wordpress.com", "title": "T", "content": "C"},
            "403",
        ),
        secret_type="oauth2",
    ),
    Case(
        "medium",
        ("api.medium.com",),
        lambda stub: fakes.install_medium(stub, KEY),
        [("3f7b2dcb-4a78-4e3f-b0f1-88132e1b89df", MEDIUM, "post_url")],
        ("3f7b2dcb-4a78-4e3f-b0f1-88132e1b89df", MEDIUM, "Token was invalid."),
    ),
    Case(
        "airtable",
        ("api.airtable.com",),
        lambda stub: fakes.install_airtable(stub, fakes.AirtableFake(token=KEY, tables=[TABLE])),
        [
            (
                "42527e98-47b6-44ce-ac0e-86b4883721d3",
                {"base_id": "appS", "table_id_or_name": "Tickets", "records": [{"Subject": "Hi"}]},
                "records",
            ),
            ("f59b88a8-54ce-4676-a508-fd614b4e8dce", {"workspace_id": "wsp1", "name": "Support"}, "base_id"),
        ],
        (
            "f59b88a8-54ce-4676-a508-fd614b4e8dce",
            {"workspace_id": "wsp1", "name": "S"},
            "Airtable API error 401",
        ),
    ),
    Case(
        "firecrawl",
        ("api.firecrawl.dev",),
        lambda stub: fakes.install_firecrawl(
            stub,
            fakes.FirecrawlFake(
                key=KEY,
                pages=PAGES,
                extract_data={"email": "a@b.c"},
                links=[{"url": "https://example.com/a"}],
            ),
        ),
        [
            ("bdbbaba0-03b7-4971-970e-699e2de6015e", {"url": "https://example.com"}, "markdown"),
            (
                "d1774756-4d9e-40e6-bab1-47ec0ccd81b2",
                {"urls": ["https://example.com"], "prompt": "email"},
                "data",
            ),
            ("f0f43e2b-c943-48a0-a7f1-40136ca4d3b9", {"url": "https://example.com"}, "links"),
        ],
        ("bdbbaba0-03b7-4971-970e-699e2de6015e", {"url": "https://example.com"}, "Firecrawl API error 401"),
    ),
]


def _secret(case: Case, secret: str) -> dict[str, Any]:
    """``add_credential``'s arguments for ``case``'s credential type."""
    if case.secret_type == "oauth2":
        return {"access_token": secret, "scopes": ["posts"]}
    if case.secret_type == "user_password":
        return {"username": LOGIN, "password": secret}
    return {"api_key": secret}


@pytest.mark.parametrize("case", CASES, ids=[case.provider for case in CASES])
def test_service_blocks_run_in_a_graph_and_fail_cleanly(api, kms_key, service_stubs, case):
    stub = service_stubs(*case.hosts)
    case.install(stub)
    good_secret = PASSWORD if case.secret_type == "user_password" else KEY
    good = add_credential(api, case.provider, **_secret(case, good_secret))
    bad = add_credential(api, case.provider, **_secret(case, WRONG))
    block_nodes = [
        node(f"ok{i}", block_id, credentials=good, **inputs)
        for i, (block_id, inputs, _) in enumerate(case.nodes)
    ]
    failing_block, failing_inputs, expected_error = case.failing
    graph = {
        "name": f"{case.provider} blocks",
        "nodes": [*block_nodes, node("bad", failing_block, credentials=bad, **failing_inputs)],
        "links": [],
    }
    created = create_graph(api, graph)
    started = api.post(f"/api/graphs/{created['id']}/execute/{created['version']}", json_body={"inputs": {}})
    assert started.status_code == 200, started.content
    run = wait_for(api, created["id"], started.json()["id"])

    assert run["status"] == "COMPLETED"
    ids = node_ids(created)
    executions = {n["node_id"]: n for n in run["node_executions"]}
    for index, (_, _, pin) in enumerate(case.nodes):
        execution = executions[ids[str(index)]]
        assert execution["status"] == "COMPLETED", execution
        assert execution["output_data"].get(pin), execution["output_data"]
    failed = executions[ids[str(len(case.nodes))]]
    assert failed["status"] == "FAILED"
    (error,) = failed["output_data"]["error"]
    assert expected_error in error
    everything = json.dumps(run)
    assert WRONG not in everything and good_secret not in everything
