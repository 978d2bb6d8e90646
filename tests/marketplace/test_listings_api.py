"""The public store: listings, details, creators, reviews, agent files, search, visibility."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.graphs import input_store_output_graph
from tests.support.marketplace import (
    PAGINATION_KEYS,
    STORE_AGENT_DETAILS_KEYS,
    STORE_AGENT_KEYS,
    decide,
    make_profile,
    submit,
)
from tests.support.runs import create_graph, execute, wait_for


def _listed(api: Any, admin_api: Any, name: str, slug: str, **fields: Any) -> dict[str, Any]:
    graph = create_graph(api, input_store_output_graph(name))
    submission = submit(api, graph, slug, **fields)
    decide(admin_api, submission["store_listing_version_id"])
    return {"graph": graph, **submission}


@pytest.fixture
def store(api, other_api, admin_api) -> dict[str, Any]:
    """Alice lists two agents, Bob one; Alice also has a pending one."""
    make_profile(api, "alice", avatar_url="https://x/alice.png")
    make_profile(other_api, "bob")
    listed = {
        "mail": _listed(
            api,
            admin_api,
            "Email Summarizer",
            "email-summarizer",
            sub_heading="Summaries of your inbox",
            description="Reads emails and writes short summaries",
            categories=["productivity"],
        ),
        "image": _listed(
            api,
            admin_api,
            "Image Maker",
            "image-maker",
            sub_heading="Pictures from prompts",
            description="Generates images from text",
            categories=["ai", "art"],
        ),
        "news": _listed(
            other_api,
            admin_api,
            "News Digest",
            "news-digest",
            sub_heading="Daily news",
            description="Collects headlines and summarizes them",
            categories=["productivity"],
        ),
    }
    pending_graph = create_graph(api, input_store_output_graph("Secret Draft"))
    listed["pending"] = submit(api, pending_graph, "secret-draft", description="summaries too")
    return listed


def _slugs(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [agent["slug"] for agent in response.json()["agents"]]


def test_listing_page_shape_and_visibility(store, anonymous_api):
    page = anonymous_api.get("/api/store/agents", params={"sorted_by": "name"}).json()
    assert list(page) == ["agents", "pagination"]
    assert list(page["pagination"]) == PAGINATION_KEYS
    assert [a["slug"] for a in page["agents"]] == ["email-summarizer", "image-maker", "news-digest"]
    first = page["agents"][0]
    assert list(first) == STORE_AGENT_KEYS
    assert first == {
        "slug": "email-summarizer",
        "agent_name": "Email Summarizer",
        "agent_image": "https://example.com/a.png",
        "creator": "alice",
        "creator_avatar": "https://x/alice.png",
        "sub_heading": "Summaries of your inbox",
        "description": "Reads emails and writes short summaries",
        "runs": 0,
        "rating": 0.0,
    }


def test_filters_sorting_and_pagination(store, anonymous_api):
    get = anonymous_api.get
    assert _slugs(get("/api/store/agents", params={"creator": "bob"})) == ["news-digest"]
    assert _slugs(get("/api/store/agents", params={"category": "Art"})) == ["image-maker"]
    assert _slugs(get("/api/store/agents", params={"featured": "true"})) == []
    page2 = get("/api/store/agents", params={"sorted_by": "name", "page": 2, "page_size": 2}).json()
    assert [a["slug"] for a in page2["agents"]] == ["news-digest"]
    assert page2["pagination"] == {"total_items": 3, "total_pages": 2, "current_page": 2, "page_size": 2}
    assert _slugs(get("/api/store/agents")) == [
        "news-digest",
        "image-maker",
        "email-summarizer",
    ]  # newest first
    assert get("/api/store/agents", params={"sorted_by": "popularity"}).status_code == 422
    assert get("/api/store/agents", params={"page": 0}).status_code == 422


def test_search_ranks_by_relevance_and_hides_unapproved(store, anonymous_api):
    # the pending draft's description matches too, but it is not listed
    found = _slugs(anonymous_api.get("/api/store/agents", params={"search_query": "summaries of emails"}))
    assert found == ["email-summarizer"]
    # stemmed: "summarize" finds "summarizes" (news) and "Summarizer" (name, weighted highest)
    ranked = _slugs(
        anonymous_api.get("/api/store/agents", params={"search_query": "summarize", "sorted_by": "name"})
    )
    assert ranked == ["email-summarizer", "news-digest"]
    assert _slugs(anonymous_api.get("/api/store/agents", params={"search_query": "image"})) == ["image-maker"]
    assert _slugs(anonymous_api.get("/api/store/agents", params={"search_query": "zebra"})) == []
    too_long = anonymous_api.get("/api/store/agents", params={"search_query": "x" * 101})
    assert too_long.status_code == 400


def test_agent_details_by_name_and_by_version(store, api, other_api, anonymous_api):
    details = anonymous_api.get(
        "/api/store/agents/Alice/email-summarizer", params={"include_changelog": "true"}
    )
    assert details.status_code == 200
    body = details.json()
    assert list(body) == STORE_AGENT_DETAILS_KEYS
    vid = store["mail"]["store_listing_version_id"]
    assert (body["store_listing_version_id"], body["active_version_id"], body["has_approved_version"]) == (
        vid,
        vid,
        True,
    )
    assert (body["versions"], body["agentGraphVersions"], body["agentGraphId"]) == (
        ["1"],
        ["1"],
        store["mail"]["graph"]["id"],
    )
    assert body["changelog"][0]["changes_summary"] == "Initial Submission"
    assert anonymous_api.get("/api/store/agents/alice/email-summarizer").json()["changelog"] is None

    by_version = other_api.get(f"/api/store/agents/{vid}").json()
    assert by_version["agent_name"] == "Email Summarizer"
    assert anonymous_api.get(f"/api/store/agents/{vid}").status_code == 401

    # unapproved: invisible to everyone, its creator included (they use /submissions)
    pending = store["pending"]["store_listing_version_id"]
    assert api.get("/api/store/agents/alice/secret-draft").status_code == 404
    assert other_api.get(f"/api/store/agents/{pending}").status_code == 404
    assert anonymous_api.get(f"/api/store/download/agents/{pending}").status_code == 404
    assert other_api.get(f"/api/store/graph/{pending}").status_code == 404
    assert api.get(f"/api/store/graph/{pending}").status_code == 200  # the creator's own graph


def test_graph_meta_and_agent_file(store, other_api, anonymous_api):
    vid = store["image"]["store_listing_version_id"]
    meta = other_api.get(f"/api/store/graph/{vid}").json()
    assert (meta["id"], meta["version"], meta["name"]) == (store["image"]["graph"]["id"], 1, "Image Maker")
    assert "nodes" not in meta and "links" not in meta
    assert meta["input_schema"]["properties"].keys() == {"x"}

    file = anonymous_api.get(f"/api/store/download/agents/{vid}")
    assert file.status_code == 200
    assert file.headers["content-disposition"].startswith('attachment; filename="agent_')
    assert [n["block_id"] for n in file.json()["nodes"]]
    assert file.json()["user_id"] == ""


def test_reviews_one_per_user_with_rating_aggregate(store, api, other_api, anonymous_api):
    vid = store["mail"]["store_listing_version_id"]
    path = "/api/store/agents/alice/email-summarizer/review"
    review = other_api.post(
        path, json_body={"store_listing_version_id": vid, "score": 5, "comments": "great"}
    )
    assert (review.status_code, review.json()) == (200, {"score": 5, "comments": "great"})
    api.post(path, json_body={"store_listing_version_id": vid, "score": 2})
    other_api.post(path, json_body={"store_listing_version_id": vid, "score": 3})  # replaces Bob's 5

    assert anonymous_api.get("/api/store/agents/alice/email-summarizer").json()["rating"] == 2.5
    assert other_api.post(path, json_body={"store_listing_version_id": vid, "score": 6}).status_code == 422
    pending = store["pending"]["store_listing_version_id"]
    assert (
        other_api.post(path, json_body={"store_listing_version_id": pending, "score": 4}).status_code == 404
    )
    assert (
        anonymous_api.post(path, json_body={"store_listing_version_id": vid, "score": 4}).status_code == 401
    )


def test_creators_list_details_and_search(store, anonymous_api):
    page = anonymous_api.get("/api/store/creators").json()
    assert [c["username"] for c in page["creators"]] == ["alice", "bob"]
    assert page["creators"][0] == {
        "name": "Alice",
        "username": "alice",
        "description": "alice builds agents",
        "avatar_url": "https://x/alice.png",
        "num_agents": 2,
        "agent_rating": 0.0,
        "agent_runs": 0,
        "is_featured": False,
    }
    by_count = anonymous_api.get("/api/store/creators", params={"sorted_by": "num_agents"}).json()
    assert [c["username"] for c in by_count["creators"]] == ["alice", "bob"]
    found = anonymous_api.get("/api/store/creators", params={"search_query": "bob"}).json()
    assert [c["username"] for c in found["creators"]] == ["bob"]

    details = anonymous_api.get("/api/store/creator/ALICE").json()
    assert details == {
        "name": "Alice",
        "username": "alice",
        "description": "alice builds agents",
        "links": [],
        "avatar_url": "https://x/alice.png",
        "agent_rating": 0.0,
        "agent_runs": 0,
        "top_categories": ["ai", "art", "productivity"],
    }
    missing = anonymous_api.get("/api/store/creator/nobody")
    assert (missing.status_code, missing.json()["detail"]) == (404, "Creator nobody not found")


def test_runs_count_towards_the_listing_and_the_creator(store, api, other_api, anonymous_api):
    vid = store["mail"]["store_listing_version_id"]
    graph = store["mail"]["graph"]
    other_api.post("/api/library/agents", json_body={"store_listing_version_id": vid})
    for client in (api, other_api):
        wait_for(client, graph["id"], execute(client, graph, {"x": "hi"})["id"])
    assert anonymous_api.get("/api/store/agents/alice/email-summarizer").json()["runs"] == 2
    assert anonymous_api.get("/api/store/creator/alice").json()["agent_runs"] == 2


def test_rejecting_the_active_version_takes_the_listing_off_the_store(
    store, other_api, admin_api, anonymous_api
):
    vid = store["news"]["store_listing_version_id"]
    added = other_api.post("/api/library/agents", json_body={"store_listing_version_id": vid})
    assert added.status_code == 201
    decide(admin_api, vid, approve=False, comments="Withdrawn")
    assert _slugs(anonymous_api.get("/api/store/agents")) == ["image-maker", "email-summarizer"]
    assert anonymous_api.get("/api/store/agents/bob/news-digest").status_code == 404
    graph = store["news"]["graph"]
    refused = other_api.post(f"/api/graphs/{graph['id']}/execute/1", json_body={"inputs": {"x": 1}})
    assert refused.status_code == 200  # Bob owns it; the store decision does not touch his own runs


def test_deleting_a_listed_graph_delists_it(store, api, other_api, anonymous_api):
    vid = store["image"]["store_listing_version_id"]
    other_api.post("/api/library/agents", json_body={"store_listing_version_id": vid})
    graph = store["image"]["graph"]
    assert api.delete(f"/api/graphs/{graph['id']}").status_code == 200
    assert "image-maker" not in _slugs(anonymous_api.get("/api/store/agents"))
    assert other_api.post(f"/api/graphs/{graph['id']}/execute/1", json_body={"inputs": {}}).status_code == 404


def test_a_newer_approved_version_marks_library_copies_outdated(api, other_api, admin_api):
    make_profile(api, "alice")
    graph = create_graph(api, input_store_output_graph("Echo"))
    first = submit(api, graph, "echo")
    decide(admin_api, first["store_listing_version_id"])
    agent = other_api.post(
        "/api/library/agents", json_body={"store_listing_version_id": first["store_listing_version_id"]}
    ).json()
    assert agent["is_latest_version"] is True

    updated = api.put(
        f"/api/graphs/{graph['id']}", json_body={**input_store_output_graph("Echo"), "id": graph["id"]}
    )
    assert updated.json()["version"] == 2
    second = submit(api, updated.json(), "echo")
    decide(admin_api, second["store_listing_version_id"])

    assert other_api.get(f"/api/library/agents/{agent['id']}").json()["is_latest_version"] is False
    details = other_api.get("/api/store/agents/alice/echo").json()
    assert (details["versions"], details["agentGraphVersions"]) == (["1", "2"], ["1", "2"])
