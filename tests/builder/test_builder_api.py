"""``/api/builder``: the block menu's categories, blocks, batch, providers, search, counts,
suggestions (upstream's shapes), signed-in users only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.graphs import input_store_output_graph
from tests.support.marketplace import PAGINATION_KEYS, decide, make_profile, submit
from tests.support.runs import create_graph

BLOCK_INFO_KEYS = {
    "id",
    "name",
    "inputSchema",
    "outputSchema",
    "costs",
    "description",
    "categories",
    "contributors",
    "staticOutput",
    "uiType",
}
AGENT_EXECUTOR = "e189baac-8c20-45a1-94a7-55177ea42565"
STORE_VALUE = "1ff065e9-88e8-4358-9d82-8dc91f622ba9"
AI_TEXT_GENERATOR = "1f292d4a-41a4-4977-9684-7c8d560b9f91"


def _catalogue(api: Any) -> list[dict[str, Any]]:
    return api.get("/api/blocks").json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/builder/suggestions",
        "/api/builder/categories",
        "/api/builder/blocks",
        "/api/builder/blocks/batch",
        "/api/builder/providers",
        "/api/builder/search",
        "/api/builder/counts",
    ],
)
def test_every_builder_route_needs_a_user(anonymous_api, path):
    assert anonymous_api.get(path).status_code == 401


def test_categories_count_blocks_and_show_a_few(api):
    categories = api.get("/api/builder/categories", params={"blocks_per_category": 2}).json()
    names = [c["name"] for c in categories]
    assert names == sorted(names) and "basic" in names
    for category in categories:
        assert list(category) == ["name", "total_blocks", "blocks"]
        assert len(category["blocks"]) == min(2, category["total_blocks"])
        assert all(set(block) == BLOCK_INFO_KEYS for block in category["blocks"])
    catalogue = [b for b in _catalogue(api) if b["id"] != AGENT_EXECUTOR]
    basic = next(c for c in categories if c["name"] == "basic")
    assert basic["total_blocks"] == sum(
        1 for b in catalogue if "BASIC" in {c["category"] for c in b["categories"]}
    )


def test_blocks_filter_by_category_type_and_provider_with_pages(api):
    catalogue = [b for b in _catalogue(api) if b["id"] != AGENT_EXECUTOR]
    everything = api.get("/api/builder/blocks", params={"page_size": 250}).json()
    assert list(everything) == ["blocks", "pagination"]
    assert [b["id"] for b in everything["blocks"]] == [b["id"] for b in catalogue]

    inputs = api.get("/api/builder/blocks", params={"type": "input", "page_size": 250}).json()["blocks"]
    assert inputs and all(b["uiType"] == "Input" for b in inputs)
    actions = api.get("/api/builder/blocks", params={"type": "action", "page_size": 250}).json()["blocks"]
    assert all(b["uiType"] not in ("Input", "Output") for b in actions)

    openai = api.get("/api/builder/blocks", params={"provider": "openai", "page_size": 250}).json()["blocks"]
    assert AI_TEXT_GENERATOR in [b["id"] for b in openai]

    page = api.get("/api/builder/blocks", params={"category": "basic", "page": 2, "page_size": 3}).json()
    assert list(page["pagination"]) == PAGINATION_KEYS
    assert page["pagination"]["current_page"] == 2 and len(page["blocks"]) <= 3

    both = api.get("/api/builder/blocks", params={"category": "basic", "type": "input"})
    assert both.status_code == 400
    assert both.json()["detail"] == "Only one of category, type, or provider can be specified"
    assert api.get("/api/builder/blocks", params={"type": "weird"}).status_code == 422


def test_batch_returns_known_blocks_in_order(api):
    response = api.get(
        "/api/builder/blocks/batch", params=[("block_ids", STORE_VALUE), ("block_ids", "nope")]
    )
    blocks = response.json()
    assert [b["id"] for b in blocks] == [STORE_VALUE]
    assert set(blocks[0]) == BLOCK_INFO_KEYS


def test_providers_count_their_blocks(api):
    page = api.get("/api/builder/providers", params={"page_size": 200}).json()
    assert list(page) == ["providers", "pagination"]
    by_name = {p["name"]: p for p in page["providers"]}
    assert list(by_name["openai"]) == ["name", "description", "integration_count"]
    assert by_name["openai"]["integration_count"] >= 1


def test_counts(api, other_api, admin_api):
    make_profile(api, "alice")
    graph = create_graph(api, input_store_output_graph("Echo"))
    decide(admin_api, submit(api, graph, "echo")["store_listing_version_id"])
    counts = api.get("/api/builder/counts").json()
    assert list(counts) == [
        "all_blocks",
        "input_blocks",
        "action_blocks",
        "output_blocks",
        "integrations",
        "marketplace_agents",
        "my_agents",
    ]
    assert counts["all_blocks"] == counts["input_blocks"] + counts["action_blocks"] + counts["output_blocks"]
    assert (counts["marketplace_agents"], counts["my_agents"]) == (1, 1)
    assert other_api.get("/api/builder/counts").json()["my_agents"] == 0


def test_search_ranks_blocks_and_agents_and_remembers_searches(api, other_api, admin_api):
    make_profile(api, "alice")
    graph = create_graph(api, input_store_output_graph("Dictionary Helper"))
    decide(
        admin_api,
        submit(api, graph, "dict-helper", description="Works with dictionaries")["store_listing_version_id"],
    )

    found = api.get("/api/builder/search", params={"search_query": "dictionary"}).json()
    assert list(found) == ["items", "search_id", "total_items", "pagination"]
    assert set(found["total_items"]) == {"blocks", "integrations", "marketplace_agents", "my_agents"}
    assert found["total_items"]["blocks"] > 0
    assert found["total_items"]["marketplace_agents"] == 1 and found["total_items"]["my_agents"] == 1
    names = [item.get("name") or item.get("agent_name") for item in found["items"]]
    assert any("Dictionary" in (name or "") for name in names)
    assert "Dictionary Helper" in names

    only_market = api.get(
        "/api/builder/search", params={"search_query": "dictionary", "filter": "marketplace_agents"}
    ).json()
    assert [item["slug"] for item in only_market["items"]] == ["dict-helper"]
    theirs = other_api.get(
        "/api/builder/search", params={"search_query": "dictionary", "filter": "my_agents"}
    )
    assert theirs.json()["items"] == []

    suggestions = api.get("/api/builder/suggestions").json()
    assert list(suggestions) == ["otto_suggestions", "recent_searches", "providers", "top_blocks"]
    assert [s["search_query"] for s in suggestions["recent_searches"]] == ["dictionary", "dictionary"]
    assert {s["search_id"] for s in suggestions["recent_searches"]} == {
        found["search_id"],
        only_market["search_id"],
    }
    assert suggestions["providers"] == ["twitter", "github", "notion", "google", "discord", "google_maps"]
    assert len(suggestions["top_blocks"]) == 5
    assert [s["search_id"] for s in other_api.get("/api/builder/suggestions").json()["recent_searches"]] == [
        theirs.json()["search_id"]
    ]


def test_search_with_a_search_id_updates_that_entry(api):
    first = api.get("/api/builder/search", params={"search_query": "list"}).json()
    api.get("/api/builder/search", params={"search_query": "lists", "search_id": first["search_id"]})
    recent = api.get("/api/builder/suggestions").json()["recent_searches"]
    assert [(r["search_query"], r["search_id"]) for r in recent] == [("lists", first["search_id"])]
    assert api.get("/api/builder/search", params={"filter": "everything"}).status_code == 422
