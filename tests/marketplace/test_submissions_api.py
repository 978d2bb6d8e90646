"""Profiles, submissions and admin review: shapes, ownership, 403s for non-admins."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ADMIN_USER_ID, USER_ID
from tests.support.graphs import input_store_output_graph
from tests.support.marketplace import (
    PAGINATION_KEYS,
    STORE_SUBMISSION_KEYS,
    decide,
    make_profile,
    submit,
)
from tests.support.runs import create_graph


@pytest.fixture
def alice(api) -> dict[str, Any]:
    """The first user with a profile and a graph."""
    make_profile(api, "alice")
    return create_graph(api, input_store_output_graph("Echo Agent"))


# -- profile


def test_profile_is_created_then_updated_with_unique_username(api, other_api):
    assert api.get("/api/store/profile").status_code == 404

    created = make_profile(api, "Alice_Smith!", links=["https://alice.dev"], avatar_url="https://x/a.png")
    assert created == {
        "name": "Alice_Smith!",
        "username": "alicesmith",
        "description": "Alice_Smith! builds agents",
        "links": ["https://alice.dev"],
        "avatar_url": "https://x/a.png",
        "agent_rating": 0.0,
        "agent_runs": 0,
        "top_categories": [],
    }
    assert api.get("/api/store/profile").json() == {
        "name": "Alice_Smith!",
        "username": "alicesmith",
        "description": "Alice_Smith! builds agents",
        "links": ["https://alice.dev"],
        "avatar_url": "https://x/a.png",
    }

    taken = other_api.post("/api/store/profile", json_body={"name": "B", "username": "AliceSmith"})
    assert taken.status_code == 400
    assert taken.json()["detail"] == "Username 'alicesmith' is already taken"

    make_profile(api, "alice2")  # renaming frees the old name
    assert make_profile(other_api, "alicesmith")["username"] == "alicesmith"


def test_profile_rejects_a_username_without_letters(api):
    response = api.post("/api/store/profile", json_body={"name": "x", "username": "!!!"})
    assert response.status_code == 400


# -- submissions


def test_submission_shape_and_listing_of_mine(api, other_api, alice):
    created = submit(api, alice, "Echo Agent!", description="Echoes", changes_summary=None)
    assert list(created) == STORE_SUBMISSION_KEYS
    assert created["slug"] == "echoagent"
    assert (created["agent_id"], created["agent_version"], created["version"]) == (alice["id"], 1, 1)
    assert (created["status"], created["runs"], created["rating"]) == ("PENDING", 0, 0.0)
    assert created["changes_summary"] == "Initial Submission"
    assert created["internal_comments"] is None

    mine = api.get("/api/store/submissions").json()
    assert list(mine) == ["submissions", "pagination"]
    assert list(mine["pagination"]) == PAGINATION_KEYS
    assert [s["store_listing_version_id"] for s in mine["submissions"]] == [
        created["store_listing_version_id"]
    ]
    assert other_api.get("/api/store/submissions").json()["submissions"] == []


def test_submitting_needs_a_profile_and_an_own_graph(api, other_api, alice):
    no_profile = other_api.post(
        "/api/store/submissions",
        json_body={"agent_id": alice["id"], "agent_version": 1, "slug": "x", "name": "x", "sub_heading": "x"},
    )
    assert no_profile.status_code == 400

    make_profile(other_api, "bob")
    foreign = other_api.post(
        "/api/store/submissions",
        json_body={"agent_id": alice["id"], "agent_version": 1, "slug": "x", "name": "x", "sub_heading": "x"},
    )
    assert foreign.status_code == 404
    assert foreign.json()["detail"] == f"Graph #{alice['id']} not found."

    bad = api.post(
        "/api/store/submissions",
        json_body={"agent_id": alice["id"], "agent_version": 0, "slug": "x", "name": "x", "sub_heading": "x"},
    )
    assert bad.status_code == 422


def test_slug_is_unique_per_creator(api, alice):
    submit(api, alice, "echo")
    other = create_graph(api, input_store_output_graph("Other"))
    response = api.post(
        "/api/store/submissions",
        json_body={
            "agent_id": other["id"],
            "agent_version": 1,
            "slug": "echo",
            "name": "O",
            "sub_heading": "o",
        },
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "The URL slug 'echo' is already in use by another one of your agents. Please choose a different slug."
    )


def test_resubmitting_replaces_the_pending_version(api, alice):
    first = submit(api, alice, "echo")
    second = submit(api, alice, "ignored-slug", name="Echo v2")
    assert (second["listing_id"], second["version"], second["slug"]) == (first["listing_id"], 2, "echo")
    versions = [
        s["store_listing_version_id"] for s in api.get("/api/store/submissions").json()["submissions"]
    ]
    assert versions == [second["store_listing_version_id"]]


def test_edit_changes_a_pending_version_in_place_and_versions_an_approved_one(api, admin_api, alice):
    created = submit(api, alice, "echo")
    vid = created["store_listing_version_id"]
    body = {"name": "Echo!", "sub_heading": "Now louder", "description": "d", "categories": ["fun"]}

    edited = api.put(f"/api/store/submissions/{vid}", json_body=body).json()
    assert (edited["store_listing_version_id"], edited["name"], edited["status"]) == (vid, "Echo!", "PENDING")
    assert edited["changes_summary"] == "Update submission"

    decide(admin_api, vid)
    again = api.put(f"/api/store/submissions/{vid}", json_body={**body, "name": "Echo 2"}).json()
    assert again["store_listing_version_id"] != vid
    assert (again["version"], again["status"], again["name"]) == (2, "PENDING", "Echo 2")


def test_only_the_owner_edits_or_deletes_and_approved_versions_stay(api, other_api, admin_api, alice):
    vid = submit(api, alice, "echo")["store_listing_version_id"]
    body = {"name": "x", "sub_heading": "y"}
    assert other_api.put(f"/api/store/submissions/{vid}", json_body=body).status_code == 404
    assert other_api.delete(f"/api/store/submissions/{vid}").status_code == 404

    decide(admin_api, vid)
    refused = api.delete(f"/api/store/submissions/{vid}")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "Cannot delete approved submissions"


def test_deleting_the_last_version_removes_the_listing_and_frees_the_slug(api, alice):
    vid = submit(api, alice, "echo")["store_listing_version_id"]
    response = api.delete(f"/api/store/submissions/{vid}")
    assert (response.status_code, response.json()) == (200, True)
    assert api.get("/api/store/submissions").json()["submissions"] == []
    assert submit(api, alice, "echo")["version"] == 1


def test_my_agents_lists_own_graphs_not_yet_submitted(api, other_api, alice):
    other = create_graph(api, input_store_output_graph("Unlisted"))
    submit(api, alice, "echo")
    mine = api.get("/api/store/myagents").json()
    assert [a["agent_id"] for a in mine["agents"]] == [other["id"]]
    assert list(mine["agents"][0]) == [
        "agent_id",
        "agent_version",
        "agent_name",
        "agent_image",
        "description",
        "last_edited",
        "recommended_schedule_cron",
    ]
    assert mine["pagination"] == {"total_items": 1, "total_pages": 1, "current_page": 1, "page_size": 20}
    assert other_api.get("/api/store/myagents").json()["agents"] == []


# -- admin


ADMIN_ROUTES = [
    ("GET", "/api/store/admin/listings"),
    ("POST", "/api/store/admin/submissions/some-version/review"),
    ("GET", "/api/store/admin/submissions/download/some-version"),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_admin_routes_refuse_non_admins(api, anonymous_api, method, path):
    body = {"store_listing_version_id": "some-version", "is_approved": True, "comments": ""}
    response = api.request(method, path, json_body=body if method == "POST" else None)
    assert (response.status_code, response.json()) == (403, {"detail": "Admin access required"})
    assert (
        anonymous_api.request(method, path, json_body=body if method == "POST" else None).status_code == 401
    )


def test_review_records_the_decision_and_admin_listings_show_history(api, admin_api, alice):
    first = submit(api, alice, "echo")
    approved = decide(admin_api, first["store_listing_version_id"], comments="Nice")
    assert list(approved) == STORE_SUBMISSION_KEYS
    assert (approved["status"], approved["review_comments"], approved["reviewer_id"]) == (
        "APPROVED",
        "Nice",
        ADMIN_USER_ID,
    )
    assert approved["internal_comments"] == "checked the graph"
    second = submit(api, alice, "echo", name="Echo v2")
    decide(admin_api, second["store_listing_version_id"], approve=False, comments="Broken")

    # the creator sees the external comments, never the internal ones
    mine = {s["version"]: s for s in api.get("/api/store/submissions").json()["submissions"]}
    assert (mine[2]["status"], mine[2]["review_comments"], mine[2]["internal_comments"]) == (
        "REJECTED",
        "Broken",
        None,
    )

    page = admin_api.get("/api/store/admin/listings").json()
    [listing] = page["listings"]
    assert list(listing) == [
        "listing_id",
        "slug",
        "agent_id",
        "agent_version",
        "active_version_id",
        "has_approved_version",
        "creator_email",
        "latest_version",
        "versions",
    ]
    assert (listing["slug"], listing["active_version_id"], listing["has_approved_version"]) == (
        "echo",
        first["store_listing_version_id"],
        True,
    )
    assert [v["version"] for v in listing["versions"]] == [2, 1]
    assert listing["latest_version"]["status"] == "REJECTED"
    assert listing["versions"][1]["internal_comments"] == "checked the graph"
    assert admin_api.get("/api/store/admin/listings", params={"status": "PENDING"}).json()["listings"] == []
    assert admin_api.get("/api/store/admin/listings", params={"search": "nothing"}).json()["listings"] == []
    assert len(admin_api.get("/api/store/admin/listings", params={"search": "ECHO"}).json()["listings"]) == 1


def test_reviewing_an_unknown_version_is_not_found(admin_api):
    response = admin_api.post(
        "/api/store/admin/submissions/nope/review",
        json_body={"store_listing_version_id": "nope", "is_approved": True, "comments": ""},
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "Store listing version nope not found"


def test_admin_downloads_any_version_as_an_export(api, admin_api, alice):
    vid = submit(api, alice, "echo")["store_listing_version_id"]
    response = admin_api.get(f"/api/store/admin/submissions/download/{vid}")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="agent_{alice["id"]}_v1.json"'
    exported = response.json()
    assert (exported["id"], exported["version"], exported["user_id"]) == (alice["id"], 1, "")
    assert exported["user_id"] != USER_ID
