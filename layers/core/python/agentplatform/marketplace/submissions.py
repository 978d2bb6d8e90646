"""A creator's submissions: ``/api/store/submissions*`` and ``/api/store/myagents``.

A submission is a listing version. The first submission of a graph creates its listing
(one per creator and graph); later ones add versions. A listing has at most one
PENDING version: a new submission replaces it, as upstream. Editing a pending version
changes it in place; editing an approved or rejected one submits a new version.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from agentplatform.errors import NotFoundError
from agentplatform.marketplace.profiles import creator_of, sanitize_name
from agentplatform.marketplace.views import pagination, submission, summary
from agentplatform.models.marketplace import (
    MyAgent,
    MyAgentsResponse,
    StoreSubmission,
    StoreSubmissionEditRequest,
    StoreSubmissionRequest,
    StoreSubmissionsResponse,
    SubmissionStatus,
)
from agentplatform.store.graphs import GraphRepository
from agentplatform.store.marketplace import MarketplaceRepository, listing_id_for, now

INITIAL_SUMMARY = "Initial Submission"
UPDATE_SUMMARY = "Update submission"


def not_found(version_id: str) -> NotFoundError:
    return NotFoundError(f"Store listing version {version_id} not found")


def _content(request: StoreSubmissionEditRequest) -> dict[str, Any]:
    return {
        "name": request.name,
        "sub_heading": request.sub_heading,
        "description": request.description,
        "instructions": request.instructions,
        "categories": request.categories,
        "image_urls": request.image_urls,
        "video_url": request.video_url,
        "agent_output_demo_url": request.agent_output_demo_url,
        "recommended_schedule_cron": request.recommended_schedule_cron,
    }


class SubmissionService:
    def __init__(self, repo: MarketplaceRepository | None = None, graphs: GraphRepository | None = None):
        self.repo = repo or MarketplaceRepository()
        self.graphs = graphs or GraphRepository(self.repo.table)

    def _new_version(
        self,
        listing_id: str,
        user_id: str,
        number: int,
        graph_id: str,
        graph_version: int,
        content: dict[str, Any],
    ) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid4()),
            "listing_id": listing_id,
            "owner_user_id": user_id,
            "version": number,
            "graph_id": graph_id,
            "graph_version": graph_version,
            **content,
            "status": SubmissionStatus.PENDING.value,
            "submitted_at": now(),
        }

    # -- create

    def create(self, user_id: str, request: StoreSubmissionRequest) -> StoreSubmission:
        profile = self.repo.get_profile(user_id)
        if profile is None:
            raise ValueError("Create your store profile (POST /api/store/profile) before submitting an agent")
        slug = sanitize_name(request.slug)
        if not slug:
            raise ValueError("The slug must contain letters, digits or hyphens")
        graph = self.graphs.get(user_id, request.agent_id, request.agent_version)  # 404 unless the caller's
        listing_id = listing_id_for(user_id, graph.id)
        content = {**_content(request), "changes_summary": request.changes_summary or INITIAL_SUMMARY}
        listing = self.repo.get_listing(listing_id, consistent=True)
        if listing is None:
            return self._first_submission(
                user_id, listing_id, slug, graph.id, graph.version, content, profile
            )
        return self._add_version(listing, user_id, graph.version, content)

    def _first_submission(
        self,
        user_id: str,
        listing_id: str,
        slug: str,
        graph_id: str,
        graph_version: int,
        content: dict[str, Any],
        profile: dict[str, Any],
    ) -> StoreSubmission:
        version = self._new_version(listing_id, user_id, 1, graph_id, graph_version, content)
        listing = {
            "id": listing_id,
            "owner_user_id": user_id,
            "graph_id": graph_id,
            "slug": slug,
            "created_at": version["submitted_at"],
            "updated_at": version["submitted_at"],
            "is_deleted": False,
            "featured": False,
            "creator": creator_of(profile),
            "versions": [summary(version)],
            "active_version_id": None,
            "active": None,
            "rev": 0,
            "runs": 0,
            "rating_sum": 0,
            "rating_count": 0,
        }
        self.repo.create_listing(listing, version, graph_version)
        return submission(version, listing)

    def _add_version(
        self, listing: dict[str, Any], user_id: str, graph_version: int, content: dict[str, Any]
    ) -> StoreSubmission:
        """A new PENDING version; one still pending is replaced by it."""
        number = max((v["version"] for v in listing["versions"]), default=0) + 1
        version = self._new_version(
            listing["id"], user_id, number, listing["graph_id"], graph_version, content
        )
        pending = [v["id"] for v in listing["versions"] if v["status"] == SubmissionStatus.PENDING]
        kept = [v for v in listing["versions"] if v["id"] not in pending]
        listing = self.repo.write_listing(
            {**listing, "versions": [*kept, summary(version)]},
            put_versions=[version],
            delete_versions=pending,
        )
        return submission(version, listing)

    # -- change

    def _own_version(self, user_id: str, version_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        version = self.repo.get_version(version_id, consistent=True)
        if version is None or version["owner_user_id"] != user_id:
            raise not_found(version_id)
        listing = self.repo.get_listing(version["listing_id"], consistent=True)
        if listing is None:
            raise not_found(version_id)
        return version, listing

    def edit(self, user_id: str, version_id: str, request: StoreSubmissionEditRequest) -> StoreSubmission:
        version, listing = self._own_version(user_id, version_id)
        content = {**_content(request), "changes_summary": request.changes_summary or UPDATE_SUMMARY}
        if version["status"] != SubmissionStatus.PENDING:
            return self._add_version(listing, user_id, version["graph_version"], content)
        edited = {**version, **content, "submitted_at": now()}
        versions = [summary(edited) if v["id"] == version_id else v for v in listing["versions"]]
        listing = self.repo.write_listing({**listing, "versions": versions}, put_versions=[edited])
        return submission(edited, listing)

    def delete(self, user_id: str, version_id: str) -> bool:
        """Withdraw a submission that is not approved (an approved one stays listed)."""
        version, listing = self._own_version(user_id, version_id)
        if version["status"] == SubmissionStatus.APPROVED:
            raise ValueError("Cannot delete approved submissions")
        remaining = [v for v in listing["versions"] if v["id"] != version_id]
        if remaining:
            self.repo.write_listing({**listing, "versions": remaining}, delete_versions=[version_id])
        else:
            self.repo.delete_listing(listing, version_id)
        return True

    # -- read

    def list(self, user_id: str, page: int, page_size: int) -> StoreSubmissionsResponse:
        listings = {listing["id"]: listing for listing in self.repo.listings_of(user_id)}
        summaries = [(v, lid) for lid, listing in listings.items() for v in listing["versions"]]
        summaries.sort(key=lambda pair: (pair[0]["submitted_at"], pair[0]["id"]), reverse=True)
        start = (page - 1) * page_size
        shown = summaries[start : start + page_size]
        versions = self.repo.get_versions([v["id"] for v, _ in shown])
        return StoreSubmissionsResponse(
            submissions=[
                submission(versions[v["id"]], listings[lid]) for v, lid in shown if v["id"] in versions
            ],
            pagination=pagination(len(summaries), page, page_size),
        )

    def my_agents(self, user_id: str, page: int, page_size: int) -> MyAgentsResponse:
        """The caller's own agents that are not in the store yet (to pick one to submit)."""
        from agentplatform.store.library import LibraryRepository, agent_snapshot

        library = LibraryRepository(self.repo.table)
        listed = {listing["graph_id"] for listing in self.repo.listings_of(user_id)}
        docs = [
            doc
            for doc in library.list_agent_docs(user_id)
            if doc["is_created_by_user"]
            and not doc["is_deleted"]
            and not doc["is_archived"]
            and doc["graph_id"] not in listed
        ]
        docs.sort(key=lambda doc: (doc["updated_at"], doc["id"]), reverse=True)
        start = (page - 1) * page_size
        items = library.get_agents(user_id, [doc["id"] for doc in docs[start : start + page_size]])
        return MyAgentsResponse(
            agents=[
                MyAgent(
                    agent_id=item["graph_id"],
                    agent_version=item["graph_version"],
                    agent_name=item["name"],
                    agent_image=item.get("image_url"),
                    description=item["description"],
                    last_edited=datetime.fromisoformat(item["updated_at"]),
                    recommended_schedule_cron=agent_snapshot(item).get("recommended_schedule_cron"),
                )
                for item in items
            ],
            pagination=pagination(len(docs), page, page_size),
        )
