"""Library agent use cases behind ``/api/library/agents`` (upstream's library ``db.py``)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from agentplatform.errors import NotFoundError
from agentplatform.library import listings
from agentplatform.library.listings import ApprovedListing
from agentplatform.models.execution import Pagination
from agentplatform.models.graph import Graph, GraphSettings
from agentplatform.models.library import (
    LibraryAgent,
    LibraryAgentResponse,
    LibraryAgentSort,
    LibraryAgentStatus,
    LibraryAgentUpdateRequest,
)
from agentplatform.store.graphs import GraphRepository
from agentplatform.store.library import (
    LibraryRepository,
    agent_item,
    agent_snapshot,
    library_agent_id,
    now,
    version_fields,
)

SEARCH_TERM_MAX = 100
# As upstream: a run that completed within a week is new output.
NEW_OUTPUT_WINDOW = timedelta(days=7)


def _not_found(agent_id: str) -> NotFoundError:
    return NotFoundError(f"Library agent #{agent_id} not found")


def agent_status(item: dict[str, Any]) -> LibraryAgentStatus:
    """Upstream's precedence over the agent's recent runs: a failure, then a run waiting
    (queued, or paused for review), then one running. "Recent" failure here means the
    latest finished run failed, so an agent that runs fine again is healthy again."""
    active = set((item.get("active_runs") or {}).values())
    if item.get("last_run_status") == "FAILED":
        return LibraryAgentStatus.ERROR
    if active & {"QUEUED", "REVIEW"}:
        return LibraryAgentStatus.WAITING
    if "RUNNING" in active:
        return LibraryAgentStatus.HEALTHY
    return LibraryAgentStatus.COMPLETED


def _has_new_output(item: dict[str, Any], at: datetime) -> bool:
    completed = item.get("last_completed_at")
    return completed is not None and datetime.fromisoformat(completed) >= at - NEW_OUTPUT_WINDOW


def to_library_agent(item: dict[str, Any], at: datetime | None = None) -> LibraryAgent:
    at = at or datetime.now(UTC)
    return LibraryAgent(
        **agent_snapshot(item),
        id=item["id"],
        graph_id=item["graph_id"],
        graph_version=item["graph_version"],
        owner_user_id=item["user_id"],
        image_url=item.get("image_url"),
        creator_name=item.get("creator_name") or "Unknown",
        creator_image_url=item.get("creator_image_url") or "",
        status=agent_status(item),
        created_at=item["created_at"],
        updated_at=item["updated_at"],
        name=item["name"],
        description=item["description"],
        new_output=_has_new_output(item, at),
        can_access_graph=item["graph_owner_id"] == item["user_id"],
        is_latest_version=item["graph_version"]
        >= max(item["latest_version"], item.get("listing_latest_version") or 0),
        is_favorite=bool(item.get("is_favorite")),
        settings=GraphSettings.model_validate(item.get("settings") or {}),
        marketplace_listing=item.get("marketplace_listing"),
    )


def _matches(doc: dict[str, Any], term: str) -> bool:
    return term in doc["name"].lower() or term in doc["description"].lower()


class LibraryService:
    def __init__(self, repo: LibraryRepository | None = None, graphs: GraphRepository | None = None):
        self.repo = repo or LibraryRepository()
        self.graphs = graphs or GraphRepository(self.repo.table)

    # -- read

    def _listed(self, user_id: str) -> list[dict[str, Any]]:
        """The docs of the agents a listing shows: neither deleted nor archived."""
        return [
            doc
            for doc in self.repo.list_agent_docs(user_id)
            if not doc["is_deleted"] and not doc["is_archived"]
        ]

    def _page(
        self, user_id: str, docs: list[dict[str, Any]], page: int, page_size: int
    ) -> LibraryAgentResponse:
        """One page of ``docs`` (sorted), its agents read whole in one batch."""
        start = (page - 1) * page_size
        items = self.repo.get_agents(user_id, [doc["id"] for doc in docs[start : start + page_size]])
        at = datetime.now(UTC)
        return LibraryAgentResponse(
            agents=[to_library_agent(item, at) for item in items],
            pagination=Pagination(
                total_items=len(docs),
                total_pages=math.ceil(len(docs) / page_size),
                current_page=page,
                page_size=page_size,
            ),
        )

    def list(
        self, user_id: str, search_term: str | None, sort_by: LibraryAgentSort, page: int, page_size: int
    ) -> LibraryAgentResponse:
        term = (search_term or "").strip().lower()
        if len(term) > SEARCH_TERM_MAX:
            raise ValueError("Search term is too long")
        docs = [doc for doc in self._listed(user_id) if _matches(doc, term)]
        if sort_by == LibraryAgentSort.CREATED_AT:  # as upstream: oldest first
            docs.sort(key=lambda doc: (doc["created_at"], doc["id"]))
        else:
            docs.sort(key=lambda doc: (doc["updated_at"], doc["id"]), reverse=True)
        return self._page(user_id, docs, page, page_size)

    def favorites(self, user_id: str, page: int, page_size: int) -> LibraryAgentResponse:
        docs = [doc for doc in self._listed(user_id) if doc["is_favorite"]]
        docs.sort(key=lambda doc: (doc["updated_at"], doc["id"]), reverse=True)
        return self._page(user_id, docs, page, page_size)

    def _item(self, user_id: str, agent_id: str) -> dict[str, Any]:
        item = self.repo.get_agent(user_id, agent_id)
        if item is None:
            raise _not_found(agent_id)
        return item

    def get(self, user_id: str, agent_id: str) -> LibraryAgent:
        return to_library_agent(self._item(user_id, agent_id))

    def by_graph(self, user_id: str, graph_id: str, version: int | None) -> LibraryAgent:
        """The user's agent for a graph (optionally at a version): their own, else one
        added from the marketplace."""
        own = self.repo.get_agent(user_id, library_agent_id(user_id, graph_id))
        if own is not None and version in (None, own["graph_version"]):
            return to_library_agent(own)
        if version is None:  # the newest version the user added from the marketplace
            added = [d for d in self.repo.list_agent_docs(user_id) if d["graph_id"] == graph_id]
            version = max((d["graph_version"] for d in added if not d["is_deleted"]), default=None)
        item = None
        if version is not None:
            item = self.repo.get_agent(user_id, library_agent_id(user_id, graph_id, version))
        if item is None:
            raise NotFoundError(f"Library agent for graph #{graph_id} and user #{user_id} not found")
        return to_library_agent(item)

    # -- marketplace agents (listings come from the store's seam, library/listings.py)

    @staticmethod
    def _listing(listing_version_id: str) -> ApprovedListing:
        listing = listings.find_approved_listing(listing_version_id)
        if listing is None:
            raise NotFoundError(f"Store listing version {listing_version_id} not found or invalid")
        return listing

    def by_listing(self, user_id: str, listing_version_id: str) -> LibraryAgent | None:
        listing = self._listing(listing_version_id)
        item = self.repo.get_agent(user_id, self._listing_agent_id(user_id, listing))
        return to_library_agent(item) if item is not None else None

    @staticmethod
    def _listing_agent_id(user_id: str, listing: ApprovedListing) -> str:
        if listing.owner_user_id == user_id:  # a creator adding their own listing
            return library_agent_id(user_id, listing.graph_id)
        return library_agent_id(user_id, listing.graph_id, listing.graph_version)

    def add_marketplace_agent(self, user_id: str, listing_version_id: str) -> LibraryAgent:
        """Add a listing's graph version to the library (pinned to it); adding it again
        returns the existing agent, restored if it was deleted."""
        listing = self._listing(listing_version_id)
        agent_id = self._listing_agent_id(user_id, listing)
        existing = self.repo.get_agent(user_id, agent_id, include_deleted=True)
        if existing is not None:
            if existing["is_deleted"]:
                existing = self.repo.update_agent(
                    user_id, agent_id, {"is_deleted": False}, include_deleted=True, current=existing
                )
            return to_library_agent(existing)
        graph = self.graphs.get(listing.owner_user_id, listing.graph_id, listing.graph_version)
        item = agent_item(
            user_id,
            agent_id,
            graph,
            settings=graph.settings.model_dump(),
            latest_version=max(listing.graph_version, listing.latest_graph_version),
            at=now(),
            marketplace={
                "marketplace_listing_version_id": listing.listing_version_id,
                "marketplace_listing": listing.listing.model_dump(),
                "creator_name": listing.listing.creator.name,
                "creator_image_url": listing.creator_image_url,
                "image_url": listing.image_url,
            },
        )
        self.repo.add_agent(item)
        return self.get(user_id, agent_id)

    # -- change

    def update(self, user_id: str, agent_id: str, request: LibraryAgentUpdateRequest) -> LibraryAgent:
        item = self._item(user_id, agent_id)
        fields: dict[str, Any] = {
            name: value
            for name, value in (
                ("auto_update_version", request.auto_update_version),
                ("is_favorite", request.is_favorite),
                ("is_archived", request.is_archived),
            )
            if value is not None
        }
        own = item["graph_owner_id"] == user_id
        if request.graph_version is not None:
            if not own:
                raise ValueError(
                    "A marketplace agent runs its listed version; add another version from the store"
                )
            fields.update(version_fields(self.graphs.get(user_id, item["graph_id"], request.graph_version)))
        if request.settings is not None:
            fields["settings"] = request.settings.model_dump()
            if own:  # the graph's settings are what its runs read
                self.graphs.update_settings(user_id, item["graph_id"], request.settings)
        if not fields:
            raise ValueError("No values were passed to update")
        return to_library_agent(self.repo.update_agent(user_id, agent_id, fields, current=item))

    def delete(self, user_id: str, agent_id: str) -> None:
        """Soft delete: the agent leaves the library (and its graph can no longer be run)."""
        self.repo.update_agent(user_id, agent_id, {"is_deleted": True})

    def fork(self, user_id: str, agent_id: str) -> LibraryAgent:
        """Copy the agent's graph version (and its sub-graphs) into a new graph of the
        caller's, named as upstream does, and add it to the library."""
        from agentplatform.graphs.export import clean_for_export
        from agentplatform.graphs.service import GraphService
        from agentplatform.graphs.subgraphs import with_referenced_sub_graphs

        item = self._item(user_id, agent_id)
        source = self.graphs.get(item["graph_owner_id"], item["graph_id"], item["graph_version"])
        source = with_referenced_sub_graphs(self.graphs, source)
        if source.user_id != user_id:  # another creator's graph: none of their secrets
            source = clean_for_export(source)
        graph = Graph.model_validate(source.model_dump())
        graph.name = f"{source.name} (copy)"
        graph.forked_from_id, graph.forked_from_version = source.id, source.version
        graphs = GraphService(self.graphs)
        created = graphs.create(user_id, graph)
        settings = GraphSettings.model_validate(item.get("settings") or {})
        if settings != created.settings:
            graphs.update_settings(user_id, created.id, settings)
        return self.get(user_id, library_agent_id(user_id, created.id))
