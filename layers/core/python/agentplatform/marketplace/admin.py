"""Admin review of submissions: ``/api/store/admin/*`` (every route requires ``role=admin``).

Approving a version makes it the listing's active version (what the store shows);
rejecting the active version falls back to the newest other approved version, or takes
the listing off the store. Each decision republishes the search index and tells the
creator (AGENT_APPROVED / AGENT_REJECTED), and an approval tells the library agents
added from the listing about the newest approved version.
"""

from __future__ import annotations

from typing import Any

from agentplatform.errors import NotFoundError
from agentplatform.marketplace import index
from agentplatform.marketplace.submissions import not_found
from agentplatform.marketplace.views import approved, display, pagination, submission, summary
from agentplatform.models.marketplace import (
    ReviewSubmissionRequest,
    StoreListingsWithVersionsResponse,
    StoreListingWithVersions,
    StoreSubmission,
    SubmissionStatus,
)
from agentplatform.notifications.producers import submission_reviewed as notify_reviewed
from agentplatform.store.graphs import GraphRepository
from agentplatform.store.marketplace import MarketplaceRepository, now


def _matches(listing: dict[str, Any], term: str) -> bool:
    creator = (listing.get("creator") or {}).get("username") or ""
    names = [v.get("name") or "" for v in listing["versions"]]
    return any(term in text.lower() for text in [listing["slug"], creator, *names])


class AdminService:
    def __init__(self, repo: MarketplaceRepository | None = None, graphs: GraphRepository | None = None):
        self.repo = repo or MarketplaceRepository()
        self.graphs = graphs or GraphRepository(self.repo.table)

    def review(self, admin_id: str, version_id: str, request: ReviewSubmissionRequest) -> StoreSubmission:
        version = self.repo.get_version(version_id, consistent=True)
        listing = self.repo.get_listing(version["listing_id"], consistent=True) if version else None
        if version is None or listing is None or listing.get("is_deleted"):
            raise not_found(version_id)
        status = SubmissionStatus.APPROVED if request.is_approved else SubmissionStatus.REJECTED
        reviewed = {
            **version,
            "status": status.value,
            "reviewed_at": now(),
            "reviewer_id": admin_id,
            "review_comments": request.comments,
            "internal_comments": request.internal_comments,
        }
        versions = [summary(reviewed) if v["id"] == version_id else v for v in listing["versions"]]
        decided = {**listing, "versions": versions, **self._active(listing, reviewed, versions)}
        decided = self.repo.write_listing(decided, put_versions=[reviewed])
        index.changed(self.repo)
        if status == SubmissionStatus.APPROVED:
            self._announce_latest(decided)
        notify_reviewed(decided, reviewed, approved=status == SubmissionStatus.APPROVED)
        return submission(reviewed, decided, admin=True)

    def _active(
        self, listing: dict[str, Any], reviewed: dict[str, Any], versions: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """The listing's active version after a decision on ``reviewed``."""
        if reviewed["status"] == SubmissionStatus.APPROVED:
            return {"active_version_id": reviewed["id"], "active": display(reviewed), "updated_at": now()}
        if listing.get("active_version_id") != reviewed["id"]:
            return {}
        others = approved({"versions": versions})
        if not others:
            return {"active_version_id": None, "active": None, "updated_at": now()}
        fallback = self.repo.get_version(others[-1]["id"], consistent=True)
        assert fallback is not None
        return {"active_version_id": fallback["id"], "active": display(fallback), "updated_at": now()}

    def _announce_latest(self, listing: dict[str, Any]) -> None:
        """Library agents added from the listing learn its newest approved graph version
        (their ``is_latest_version``): one write per agent, no reads."""
        newest = max((v["graph_version"] for v in approved(listing)), default=0)
        for agent_key in self.repo.listing_agents(listing["id"]):
            self.repo.raise_latest_version(agent_key, newest)

    def listings(
        self, status: SubmissionStatus | None, search: str | None, page: int, page_size: int
    ) -> StoreListingsWithVersionsResponse:
        """Every listing with its versions, newest listing first."""
        from agentplatform.store.users import UserRepository

        listings = self.repo.all_listings()
        if status is not None:
            listings = [lst for lst in listings if any(v["status"] == status for v in lst["versions"])]
        term = (search or "").strip().lower()
        if term:
            listings = [listing for listing in listings if _matches(listing, term)]
        listings.sort(key=lambda listing: (listing["created_at"], listing["id"]), reverse=True)
        start = (page - 1) * page_size
        shown = listings[start : start + page_size]
        versions = self.repo.get_versions([v["id"] for listing in shown for v in listing["versions"]])
        emails = UserRepository(self.repo.table).emails({listing["owner_user_id"] for listing in shown})
        result = []
        for listing in shown:
            history = [
                submission(versions[v["id"]], listing, admin=True)
                for v in sorted(listing["versions"], key=lambda v: v["version"], reverse=True)
                if v["id"] in versions
            ]
            result.append(
                StoreListingWithVersions(
                    listing_id=listing["id"],
                    slug=listing["slug"],
                    agent_id=listing["graph_id"],
                    agent_version=history[0].agent_version if history else 0,
                    active_version_id=listing.get("active_version_id"),
                    has_approved_version=bool(approved(listing)),
                    creator_email=emails.get(listing["owner_user_id"]),
                    latest_version=history[0] if history else None,
                    versions=history,
                )
            )
        return StoreListingsWithVersionsResponse(
            listings=result, pagination=pagination(len(listings), page, page_size)
        )

    def download(self, version_id: str) -> tuple[str, dict[str, Any]]:
        """Any version's agent file, whatever its status (admins review what they approve)."""
        version = self.repo.get_version(version_id)
        if version is None:
            raise not_found(version_id)
        return agent_file(self.graphs, version)


def agent_file(graphs: GraphRepository, version: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(file name, the version's graph in the export format, secrets stripped)."""
    from agentplatform.graphs.export import clean_for_export

    try:
        graph = graphs.get(version["owner_user_id"], version["graph_id"], version["graph_version"])
    except NotFoundError:
        raise not_found(version["id"]) from None
    exported = clean_for_export(graph)
    return f"agent_{exported.id}_v{exported.version}.json", exported.model_dump(mode="json")
