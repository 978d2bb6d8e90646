"""How stored listings, versions and profiles look through the API and the search index.

A listing (``store/marketplace.py``) carries a summary of each version and the display
fields of its active (approved) version, so the public views need no version reads.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from agentplatform.marketplace.search import IndexDoc, ranks
from agentplatform.models.execution import Pagination
from agentplatform.models.marketplace import (
    ChangelogEntry,
    Creator,
    CreatorDetails,
    StoreAgent,
    StoreAgentDetails,
    StoreSubmission,
    SubmissionStatus,
)
from agentplatform.store.marketplace import rating_of

NO_PROFILE = "Needs Profile"
# What a listing version shows (copied to the listing when the version becomes active).
DISPLAY_FIELDS = (
    "name",
    "sub_heading",
    "description",
    "instructions",
    "categories",
    "image_urls",
    "video_url",
    "agent_output_demo_url",
    "recommended_schedule_cron",
    "graph_version",
)
SUMMARY_FIELDS = (
    "id",
    "version",
    "graph_version",
    "name",
    "status",
    "submitted_at",
    "reviewed_at",
    "changes_summary",
)


def pagination(total: int, page: int, page_size: int) -> Pagination:
    return Pagination(
        total_items=total,
        total_pages=math.ceil(total / page_size) if page_size else 0,
        current_page=page,
        page_size=page_size,
    )


def is_public(listing: dict[str, Any]) -> bool:
    return not listing.get("is_deleted") and listing.get("active") is not None


def approved(listing: dict[str, Any]) -> list[dict[str, Any]]:
    """Summaries of the listing's approved versions, oldest first."""
    return [v for v in listing["versions"] if v["status"] == SubmissionStatus.APPROVED]


def display(version: dict[str, Any]) -> dict[str, Any]:
    return {name: version.get(name) for name in DISPLAY_FIELDS}


def summary(version: dict[str, Any]) -> dict[str, Any]:
    """What the listing keeps of each version (status, order, dates)."""
    return {
        name: version.get(name)
        for name in (
            "id",
            "version",
            "graph_version",
            "status",
            "submitted_at",
            "reviewed_at",
            "changes_summary",
        )
    }


def creator_username(listing: dict[str, Any]) -> str:
    return (listing.get("creator") or {}).get("username") or ""


def store_agent(listing: dict[str, Any]) -> StoreAgent:
    active, creator = listing["active"], listing.get("creator") or {}
    return StoreAgent(
        slug=listing["slug"],
        agent_name=active["name"],
        agent_image=(active.get("image_urls") or [""])[0],
        creator=creator.get("username") or NO_PROFILE,
        creator_avatar=creator.get("avatar_url") or "",
        sub_heading=active.get("sub_heading") or "",
        description=active.get("description") or "",
        runs=listing["runs"],
        rating=rating_of(listing),
    )


def agent_details(
    listing: dict[str, Any], shown: dict[str, Any], version_id: str, *, changelog: bool = False
) -> StoreAgentDetails:
    """The listing as its details page shows ``shown`` (display fields of a version)."""
    creator, versions = listing.get("creator") or {}, approved(listing)
    return StoreAgentDetails(
        store_listing_version_id=version_id,
        slug=listing["slug"],
        agent_name=shown["name"],
        agent_video=shown.get("video_url") or "",
        agent_output_demo=shown.get("agent_output_demo_url") or "",
        agent_image=shown.get("image_urls") or [],
        creator=creator.get("username") or "",
        creator_avatar=creator.get("avatar_url") or "",
        sub_heading=shown.get("sub_heading") or "",
        description=shown.get("description") or "",
        instructions=shown.get("instructions"),
        categories=shown.get("categories") or [],
        runs=listing["runs"],
        rating=rating_of(listing),
        versions=[str(v["version"]) for v in versions],
        agentGraphVersions=[str(v["graph_version"]) for v in versions],
        agentGraphId=listing["graph_id"],
        last_updated=datetime.fromisoformat(listing["updated_at"]),
        recommended_schedule_cron=shown.get("recommended_schedule_cron"),
        active_version_id=listing.get("active_version_id"),
        has_approved_version=bool(versions),
        changelog=[
            ChangelogEntry(
                version=str(v["version"]),
                changes_summary=v.get("changes_summary") or "No changes recorded",
                date=datetime.fromisoformat(v["submitted_at"]),
            )
            for v in reversed(versions)
        ]
        if changelog
        else None,
    )


def submission(version: dict[str, Any], listing: dict[str, Any], *, admin: bool = False) -> StoreSubmission:
    return StoreSubmission(
        listing_id=listing["id"],
        agent_id=version["graph_id"],
        agent_version=version["graph_version"],
        name=version["name"],
        sub_heading=version.get("sub_heading") or "",
        slug=listing["slug"],
        description=version.get("description") or "",
        instructions=version.get("instructions"),
        image_urls=version.get("image_urls") or [],
        date_submitted=datetime.fromisoformat(version["submitted_at"]),
        status=SubmissionStatus(version["status"]),
        runs=listing.get("runs", 0),
        rating=rating_of(listing),
        store_listing_version_id=version["id"],
        version=version["version"],
        reviewer_id=version.get("reviewer_id"),
        review_comments=version.get("review_comments"),
        internal_comments=version.get("internal_comments") if admin else None,
        reviewed_at=datetime.fromisoformat(version["reviewed_at"]) if version.get("reviewed_at") else None,
        changes_summary=version.get("changes_summary"),
        video_url=version.get("video_url"),
        agent_output_demo_url=version.get("agent_output_demo_url"),
        categories=version.get("categories") or [],
    )


# -- creators


def creator_stats(listings: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A creator's aggregates over their public listings."""
    public = [listing for listing in listings if is_public(listing)]
    rated = [rating_of(listing) for listing in public if listing.get("rating_count")]
    categories = Counter(c for listing in public for c in listing["active"].get("categories") or [] if c)
    return {
        "num_agents": len(public),
        "agent_runs": sum(listing["runs"] for listing in public),
        "agent_rating": round(sum(rated) / len(rated), 4) if rated else 0.0,
        "top_categories": [c for c, _ in sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))],
    }


def creator(profile: dict[str, Any], stats: dict[str, Any]) -> Creator:
    return Creator(
        name=profile["name"],
        username=profile["username"],
        description=profile["description"],
        avatar_url=profile.get("avatar_url") or "",
        num_agents=stats["num_agents"],
        agent_rating=stats["agent_rating"],
        agent_runs=stats["agent_runs"],
        is_featured=bool(profile.get("is_featured")),
    )


def creator_details(profile: dict[str, Any], stats: dict[str, Any]) -> CreatorDetails:
    return CreatorDetails(
        name=profile["name"],
        username=profile["username"],
        description=profile["description"],
        links=profile.get("links") or [],
        avatar_url=profile.get("avatar_url") or "",
        agent_rating=stats["agent_rating"],
        agent_runs=stats["agent_runs"],
        top_categories=stats["top_categories"],
    )


# -- the search index's documents


def index_docs(listings: Sequence[dict[str, Any]], profiles: Sequence[dict[str, Any]]) -> list[IndexDoc]:
    """Every public listing and every creator, with their listing orders precomputed."""
    public = [listing for listing in listings if is_public(listing)]
    agents = [
        IndexDoc(
            kind="agent",
            id=listing["id"],
            name=listing["active"]["name"],
            sub_heading=listing["active"].get("sub_heading") or "",
            description=listing["active"].get("description") or "",
            categories=listing["active"].get("categories") or [],
            creator=creator_username(listing),
            featured=bool(listing.get("featured")),
        )
        for listing in public
    ]
    for doc, order in zip(
        agents,
        ranks(
            public,
            {
                "runs": lambda listing: (-listing["runs"], listing["active"]["name"].lower(), listing["id"]),
                "rating": lambda listing: (
                    -rating_of(listing),
                    listing["active"]["name"].lower(),
                    listing["id"],
                ),
                "name": lambda listing: (listing["active"]["name"].lower(), listing["id"]),
                "updated_at": lambda listing: (_newest_first(listing["updated_at"]), listing["id"]),
            },
        ),
        strict=True,
    ):
        doc.ranks = order
    by_owner: dict[str, list[dict[str, Any]]] = {}
    for listing in public:
        by_owner.setdefault(listing["owner_user_id"], []).append(listing)
    stats = [creator_stats(by_owner.get(profile["user_id"], [])) for profile in profiles]
    creators = [
        IndexDoc(
            kind="creator",
            id=profile["username"],
            name=f"{profile['name']} {profile['username']}",
            description=profile.get("description") or "",
            categories=stat["top_categories"],
            featured=bool(profile.get("is_featured")),
            data=creator(profile, stat).model_dump_json().encode(),
        )
        for profile, stat in zip(profiles, stats, strict=True)
    ]
    pairs = list(zip(profiles, stats, strict=True))
    for doc, order in zip(
        creators,
        ranks(
            pairs,
            {
                "agent_rating": lambda p: (-p[1]["agent_rating"], p[0]["username"]),
                "agent_runs": lambda p: (-p[1]["agent_runs"], p[0]["username"]),
                "num_agents": lambda p: (-p[1]["num_agents"], p[0]["username"]),
                "username": lambda p: p[0]["username"],
            },
        ),
        strict=True,
    ):
        doc.ranks = order
    return agents + creators


def _by_name(listing: dict[str, Any]) -> tuple[str, str]:
    return listing["active"]["name"].lower(), listing["id"]


def _newest_first(iso: str) -> float:
    return -datetime.fromisoformat(iso).timestamp()
