"""Run permission (spec §3.1 step 2) and agent status from runs.

A user runs graph versions they own while the graph's agent is in their library, and
versions from approved marketplace listings in their library; sub-graphs run under
the parent's permission. The marketplace seam (``library/listings.py``) is stubbed here
with an approved listing of the first user's graph.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import OTHER_USER_ID, USER_ID
from tests.support.graphs import input_store_output_graph
from tests.support.library import LIBRARY_AGENT_KEYS, agent_of, nested_export, wait_for_agent
from tests.support.runs import GET_LIST_ITEM, create_graph, execute, wait_for

LISTING_VERSION_ID = "5e000000-0000-4000-8000-000000000001"


def _run(api: Any, graph: dict[str, Any], inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    return wait_for(api, graph["id"], execute(api, graph, inputs or {"x": "hi"})["id"])


def test_owner_runs_only_while_the_agent_is_in_the_library(api):
    graph = create_graph(api, input_store_output_graph())
    agent = agent_of(api, graph["id"])

    api.patch(f"/api/library/agents/{agent['id']}", json_body={"is_archived": True})
    archived = api.post(f"/api/graphs/{graph['id']}/execute/1", json_body={"inputs": {"x": 1}})
    assert archived.status_code == 403
    assert archived.json()["detail"] == f"Graph #{graph['id']} is not in your library"

    api.patch(f"/api/library/agents/{agent['id']}", json_body={"is_archived": False})
    assert _run(api, graph)["status"] == "COMPLETED"

    api.delete(f"/api/library/agents/{agent['id']}")
    assert api.post(f"/api/graphs/{graph['id']}/execute/1", json_body={}).status_code == 403


def test_another_users_graph_is_not_found(api, other_api):
    graph = create_graph(api, input_store_output_graph())
    response = other_api.post(f"/api/graphs/{graph['id']}/execute/1", json_body={"inputs": {"x": 1}})
    assert response.status_code == 404
    assert response.json()["detail"] == f"Graph #{graph['id']} not found."


class Marketplace:
    """Approved listings of the first user's graphs, served through the store's seam."""

    def __init__(self) -> None:
        self.approved: dict[str, Any] = {}

    def approve(self, graph: dict[str, Any], listing_version_id: str = LISTING_VERSION_ID) -> None:
        from agentplatform.library.listings import ApprovedListing
        from agentplatform.models.library import MarketplaceListing, MarketplaceListingCreator

        self.approved[listing_version_id] = ApprovedListing(
            listing_version_id=listing_version_id,
            graph_id=graph["id"],
            graph_version=graph["version"],
            owner_user_id=USER_ID,
            listing=MarketplaceListing(
                id="listing-1",
                name="Listed agent",
                slug="listed-agent",
                creator=MarketplaceListingCreator(name="Creator", id="profile-1", slug="creator"),
            ),
            creator_image_url="https://example.com/avatar.png",
        )

    def delist(self, listing_version_id: str = LISTING_VERSION_ID) -> None:
        self.approved.pop(listing_version_id)


@pytest.fixture
def marketplace(monkeypatch) -> Marketplace:
    from agentplatform.library import listings

    market = Marketplace()
    monkeypatch.setattr(listings, "find_approved_listing", market.approved.get)
    return market


@pytest.fixture
def listed(api, marketplace) -> dict[str, Any]:
    """The first user's graph, approved in the marketplace."""
    graph = create_graph(api, input_store_output_graph("Listed"))
    marketplace.approve(graph)
    return graph


def _add(api: Any, listing_version_id: str = LISTING_VERSION_ID) -> Any:
    return api.post("/api/library/agents", json_body={"store_listing_version_id": listing_version_id})


def test_marketplace_agent_is_added_pinned_and_runs_for_its_user(listed, api, other_api):
    assert other_api.get(f"/api/library/agents/marketplace/{LISTING_VERSION_ID}").json() is None

    response = other_api.post(
        "/api/library/agents", json_body={"store_listing_version_id": LISTING_VERSION_ID}
    )

    assert response.status_code == 201
    agent = response.json()
    assert list(agent) == LIBRARY_AGENT_KEYS
    assert (agent["graph_id"], agent["graph_version"], agent["owner_user_id"]) == (
        listed["id"],
        1,
        OTHER_USER_ID,
    )
    assert (agent["can_access_graph"], agent["creator_name"], agent["creator_image_url"]) == (
        False,
        "Creator",
        "https://example.com/avatar.png",
    )
    assert agent["marketplace_listing"] == {
        "id": "listing-1",
        "name": "Listed agent",
        "slug": "listed-agent",
        "creator": {"name": "Creator", "id": "profile-1", "slug": "creator"},
    }
    assert other_api.get(f"/api/library/agents/marketplace/{LISTING_VERSION_ID}").json() == agent
    assert other_api.get(f"/api/library/agents/by-graph/{listed['id']}").json()["id"] == agent["id"]
    again = _add(other_api)
    assert again.json()["id"] == agent["id"]

    run = _run(other_api, listed, {"x": "bought"})
    assert (run["status"], run["outputs"], run["user_id"]) == ("COMPLETED", {"y": ["bought"]}, OTHER_USER_ID)
    ran = wait_for_agent(other_api, agent["id"], lambda a: a["new_output"])
    assert ran["status"] == "COMPLETED"
    # The run is the buyer's: the creator neither sees it nor its output.
    assert run["id"] not in {e["id"] for e in api.get("/api/executions").json()}


def test_marketplace_permission_ends_with_the_listing_or_the_agent(listed, marketplace, other_api):
    agent = _add(other_api).json()

    other_api.delete(f"/api/library/agents/{agent['id']}")
    removed = other_api.post(f"/api/graphs/{listed['id']}/execute/1", json_body={"inputs": {"x": 1}})
    assert removed.status_code == 403
    restored = other_api.post(
        "/api/library/agents", json_body={"store_listing_version_id": LISTING_VERSION_ID}
    )
    assert restored.json()["id"] == agent["id"]

    marketplace.delist()
    delisted = other_api.post(f"/api/graphs/{listed['id']}/execute/1", json_body={"inputs": {"x": 1}})
    assert delisted.status_code == 404
    assert other_api.get(f"/api/library/agents/marketplace/{LISTING_VERSION_ID}").status_code == 404


def test_marketplace_agent_cannot_be_moved_to_an_unlisted_version(listed, api, other_api):
    api.put(f"/api/graphs/{listed['id']}", json_body=input_store_output_graph("Unlisted v2"))
    agent = _add(other_api).json()

    response = other_api.patch(f"/api/library/agents/{agent['id']}", json_body={"graph_version": 2})

    assert response.status_code == 400
    assert other_api.post(f"/api/graphs/{listed['id']}/execute/2", json_body={}).status_code == 404


def test_forking_a_marketplace_agent_gives_the_buyer_their_own_graph(listed, other_api):
    agent = _add(other_api).json()

    fork = other_api.post(f"/api/library/agents/{agent['id']}/fork").json()

    assert (fork["name"], fork["can_access_graph"], fork["marketplace_listing"]) == (
        "Listed (copy)",
        True,
        None,
    )
    copied = other_api.get(f"/api/graphs/{fork['graph_id']}").json()
    assert (copied["user_id"], copied["forked_from_id"]) == (OTHER_USER_ID, listed["id"])
    assert _run(other_api, copied)["status"] == "COMPLETED"


def test_a_marketplace_agents_sub_agents_run_under_its_permission(api, other_api, marketplace):
    creator_graph = create_graph(api, nested_export())
    marketplace.approve(creator_graph)
    _add(other_api)

    run = _run(other_api, creator_graph, {"x": "nested, bought"})

    assert (run["status"], run["outputs"]) == ("COMPLETED", {"y": ["nested, bought"]})
    # The sub-graphs are the creator's graphs, run by the buyer.
    relay = creator_graph["sub_graphs"][0]
    assert other_api.get(f"/api/graphs/{relay['id']}").status_code == 404
    direct = other_api.post(f"/api/graphs/{relay['id']}/execute/1", json_body={"inputs": {"a_in": 1}})
    assert direct.status_code == 404


def test_status_is_waiting_while_a_run_is_queued(api, monkeypatch):
    from agentplatform.engine import launcher

    monkeypatch.setattr(launcher, "start", lambda *args, **kwargs: None)  # no executor picks it up
    graph = create_graph(api, input_store_output_graph())
    execute(api, graph, {"x": 1})

    agent = agent_of(api, graph["id"])

    assert (agent["status"], agent["new_output"]) == ("WAITING", False)


def test_status_is_error_after_a_failed_run_and_recovers(api):
    graph = create_graph(
        api,
        {
            "name": "strict",
            "nodes": [{"id": "n0", "block_id": GET_LIST_ITEM, "input_default": {"list": [1], "index": 3}}],
            "links": [],
        },
    )
    api.patch(f"/api/graphs/{graph['id']}/settings", json_body={"fail_on_node_error": True})
    agent = agent_of(api, graph["id"])

    assert _run(api, graph, {})["status"] == "FAILED"
    failed = wait_for_agent(api, agent["id"], lambda a: a["status"] == "ERROR")
    assert failed["new_output"] is False

    api.patch(f"/api/graphs/{graph['id']}/settings", json_body={"fail_on_node_error": False})
    assert _run(api, graph, {})["status"] == "COMPLETED"
    recovered = wait_for_agent(api, agent["id"], lambda a: a["status"] == "COMPLETED")
    assert recovered["new_output"] is True
