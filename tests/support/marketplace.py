"""Marketplace helpers for tests: profiles, submissions, approval, the sample graph."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import ApiGatewayClient
from tests.support.graphs import AGENT_INPUT, STORE_VALUE, link, node
from tests.support.runs import FILL_TEXT_TEMPLATE

# AutoGPT's StoreAgent, StoreAgentDetails and StoreSubmission (spec §1.5 "Store"), in order.
STORE_AGENT_KEYS = [
    "slug",
    "agent_name",
    "agent_image",
    "creator",
    "creator_avatar",
    "sub_heading",
    "description",
    "runs",
    "rating",
]
STORE_AGENT_DETAILS_KEYS = [
    "store_listing_version_id",
    "slug",
    "agent_name",
    "agent_video",
    "agent_output_demo",
    "agent_image",
    "creator",
    "creator_avatar",
    "sub_heading",
    "description",
    "instructions",
    "categories",
    "runs",
    "rating",
    "versions",
    "agentGraphVersions",
    "agentGraphId",
    "last_updated",
    "recommended_schedule_cron",
    "active_version_id",
    "has_approved_version",
    "changelog",
]
STORE_SUBMISSION_KEYS = [
    "listing_id",
    "agent_id",
    "agent_version",
    "name",
    "sub_heading",
    "slug",
    "description",
    "instructions",
    "image_urls",
    "date_submitted",
    "status",
    "runs",
    "rating",
    "store_listing_version_id",
    "version",
    "reviewer_id",
    "review_comments",
    "internal_comments",
    "reviewed_at",
    "changes_summary",
    "video_url",
    "agent_output_demo_url",
    "categories",
]
PAGINATION_KEYS = ["total_items", "total_pages", "current_page", "page_size"]


@pytest.fixture(autouse=True)
def fresh_store_index() -> Any:
    """Each test has a fresh cloud: forget the index an earlier test left in this process."""
    from agentplatform.marketplace import index

    index.forget()
    yield
    index.forget()


def sample_graph(name: str = "test_agent_execution") -> dict[str, Any]:
    """upstream's ``create_test_graph()``: two inputs fill a template, stored."""
    return {
        "name": name,
        "description": "Greets from two inputs",
        "nodes": [
            node("n0", AGENT_INPUT, name="input_1"),
            node("n1", AGENT_INPUT, name="input_2", description="This is my description of this parameter"),
            node("n2", FILL_TEXT_TEMPLATE, format="{{a}}, {{b}}{{c}}", **{"values_#_c": "!!!"}),
            node("n3", STORE_VALUE),
        ],
        "links": [
            link("n0", "result", "n2", "values_#_a"),
            link("n1", "result", "n2", "values_#_b"),
            link("n2", "output", "n3", "input"),
        ],
    }


def make_profile(api: ApiGatewayClient, username: str, **fields: Any) -> dict[str, Any]:
    body = {"name": username.title(), "username": username, "description": f"{username} builds agents"}
    response = api.post("/api/store/profile", json_body={**body, **fields})
    assert response.status_code == 200, response.content
    return response.json()


def submit(api: ApiGatewayClient, graph: dict[str, Any], slug: str, **fields: Any) -> dict[str, Any]:
    body = {
        "agent_id": graph["id"],
        "agent_version": graph["version"],
        "slug": slug,
        "name": graph["name"],
        "sub_heading": f"{graph['name']} in one line",
        "description": graph.get("description") or "",
        "categories": ["productivity"],
        "image_urls": ["https://example.com/a.png"],
        **fields,
    }
    response = api.post("/api/store/submissions", json_body=body)
    assert response.status_code == 200, response.content
    return response.json()


def decide(
    admin_api: ApiGatewayClient, version_id: str, approve: bool = True, comments: str = "Looks good"
) -> dict[str, Any]:
    response = admin_api.post(
        f"/api/store/admin/submissions/{version_id}/review",
        json_body={
            "store_listing_version_id": version_id,
            "is_approved": approve,
            "comments": comments,
            "internal_comments": "checked the graph",
        },
    )
    assert response.status_code == 200, response.content
    return response.json()
