"""The public store: listings, agent details, agent files, reviews and unified search.

Only approved versions of listings that are not deleted are visible: a pending or
rejected version, or a listing without an approved version, answers 404 to everyone
(its creator sees it through ``/api/store/submissions``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agentplatform.errors import NotFoundError
from agentplatform.marketplace import index
from agentplatform.marketplace.admin import agent_file
from agentplatform.marketplace.profiles import check_search_query
from agentplatform.marketplace.submissions import not_found
from agentplatform.marketplace.views import agent_details, display, is_public, pagination, store_agent
from agentplatform.models.graph import GraphMeta
from agentplatform.models.marketplace import (
    ContentType,
    Creator,
    StoreAgentDetails,
    StoreAgentsResponse,
    StoreAgentsSort,
    StoreReview,
    StoreReviewCreate,
    SubmissionStatus,
    UnifiedSearchResponse,
    UnifiedSearchResult,
)
from agentplatform.store.graphs import GraphRepository
from agentplatform.store.marketplace import ConflictError, MarketplaceRepository, now

# Without a search query or an order, the newest listings first.
DEFAULT_ORDER = StoreAgentsSort.UPDATED_AT


class ListingService:
    def __init__(self, repo: MarketplaceRepository | None = None, graphs: GraphRepository | None = None):
        self.repo = repo or MarketplaceRepository()
        self.graphs = graphs or GraphRepository(self.repo.table)

    # -- lists

    def agents(
        self,
        *,
        featured: bool = False,
        creators: list[str] | None = None,
        sorted_by: StoreAgentsSort | None = None,
        search_query: str | None = None,
        category: str | None = None,
        page: int = 1,
        page_size: int = 20,
    ) -> StoreAgentsResponse:
        """A page of public listings: by relevance to ``search_query``, else ``sorted_by``."""
        hits, total = index.current(self.repo).search(
            "agent",
            text=check_search_query(search_query),
            creators=[c.lower() for c in creators or []],
            category=category,
            featured=featured,
            order=(sorted_by or DEFAULT_ORDER).value,
            offset=(page - 1) * page_size,
            limit=page_size,
        )
        listings = self.repo.get_listings([hit.id for hit in hits])
        return StoreAgentsResponse(
            agents=[store_agent(listing) for listing in listings if is_public(listing)],
            pagination=pagination(total, page, page_size),
        )

    # -- one listing

    def _public_listing(self, username: str, slug: str) -> dict[str, Any]:
        user_id = self.repo.user_of(username.lower())
        listing_id = self.repo.listing_by_slug(user_id, slug.lower()) if user_id else None
        listing = self.repo.get_listing(listing_id) if listing_id else None
        if listing is None or not is_public(listing):
            raise NotFoundError(f"Agent {username}/{slug} not found")
        return listing

    def agent(self, username: str, slug: str, *, include_changelog: bool = False) -> StoreAgentDetails:
        listing = self._public_listing(username, slug)
        return agent_details(
            listing, listing["active"], listing["active_version_id"], changelog=include_changelog
        )

    def _approved_version(self, version_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """An approved version of a listing the store shows, with that listing."""
        version = self.repo.get_version(version_id)
        listing = self.repo.get_listing(version["listing_id"]) if version else None
        if (
            version is None
            or listing is None
            or version["status"] != SubmissionStatus.APPROVED
            or not is_public(listing)
        ):
            raise not_found(version_id)
        return version, listing

    def agent_by_version(self, version_id: str) -> StoreAgentDetails:
        version, listing = self._approved_version(version_id)
        return agent_details(listing, display(version), version_id)

    def graph_meta(self, user_id: str, version_id: str) -> GraphMeta:
        """The listed graph's outline: for an approved version, or the creator's own."""
        version = self.repo.get_version(version_id)
        if version is None or version["owner_user_id"] != user_id:
            version, _ = self._approved_version(version_id)
        graph = self.graphs.get(version["owner_user_id"], version["graph_id"], version["graph_version"])
        return GraphMeta.model_validate(graph, from_attributes=True)

    def agent_file(self, version_id: str) -> tuple[str, dict[str, Any]]:
        version, _ = self._approved_version(version_id)
        return agent_file(self.graphs, version)

    # -- reviews

    def review(self, user_id: str, request: StoreReviewCreate) -> StoreReview:
        """One review per user and listing version (a second one replaces the first)."""
        version, listing = self._approved_version(request.store_listing_version_id)
        review = {
            "store_listing_version_id": version["id"],
            "user_id": user_id,
            "score": request.score,
            "comments": request.comments,
            "updated_at": now(),
        }
        for attempt in range(3):
            previous = self.repo.get_review(version["id"], user_id)
            try:
                self.repo.put_review(listing["id"], review, previous)
                break
            except ConflictError:
                if attempt == 2:
                    raise
        return StoreReview(score=request.score, comments=request.comments)

    # -- unified search

    def search(
        self, query: str, content_types: list[ContentType] | None, page: int, page_size: int
    ) -> UnifiedSearchResponse:
        """Agents, creators and blocks ranked together by their BM25 scores."""
        text = check_search_query(query) or ""
        wanted = set(content_types or list(ContentType))
        top = page * page_size  # every type's best ``top`` covers the merged page
        scored: list[tuple[float, ContentType, Any]] = []
        total = 0
        store_index = (
            index.current(self.repo) if wanted & {ContentType.STORE_AGENT, ContentType.CREATOR} else None
        )
        if store_index is not None and ContentType.STORE_AGENT in wanted:
            hits, count = store_index.search("agent", text=text, limit=top)
            scored += [(hit.score, ContentType.STORE_AGENT, hit) for hit in hits]
            total += count
        if store_index is not None and ContentType.CREATOR in wanted:
            hits, count = store_index.search("creator", text=text, limit=top)
            scored += [(hit.score, ContentType.CREATOR, hit) for hit in hits]
            total += count
        if ContentType.BLOCK in wanted:
            from agentplatform.marketplace.builder import block_index

            hits, count = block_index().search("block", text=text, limit=top)
            scored += [(hit.score, ContentType.BLOCK, hit) for hit in hits]
            total += count
        scored.sort(key=lambda entry: -entry[0])
        shown = scored[(page - 1) * page_size : page * page_size]
        listings = {
            listing["id"]: listing
            for listing in self.repo.get_listings(
                [hit.id for _, kind, hit in shown if kind == ContentType.STORE_AGENT]
            )
        }
        results = [
            result
            for score, kind, hit in shown
            if (result := _search_result(kind, hit, score, listings)) is not None
        ]
        return UnifiedSearchResponse(results=results, pagination=pagination(total, page, page_size))


def _search_result(
    kind: ContentType, hit: Any, score: float, listings: dict[str, dict[str, Any]]
) -> UnifiedSearchResult | None:
    if kind == ContentType.STORE_AGENT:
        listing = listings.get(hit.id)
        if listing is None or not is_public(listing):
            return None
        agent = store_agent(listing)
        return UnifiedSearchResult(
            content_type=kind,
            content_id=listing["active_version_id"],
            searchable_text=" ".join((agent.agent_name, agent.sub_heading, agent.description)),
            metadata={
                **agent.model_dump(),
                "categories": listing["active"].get("categories") or [],
                "agent_graph_id": listing["graph_id"],
            },
            updated_at=datetime.fromisoformat(listing["updated_at"]),
            combined_score=score,
            lexical_score=score,
        )
    if kind == ContentType.CREATOR:
        creator = Creator.model_validate_json(hit.data)
        return UnifiedSearchResult(
            content_type=kind,
            content_id=creator.username,
            searchable_text=" ".join((creator.name, creator.username, creator.description)),
            metadata=creator.model_dump(),
            combined_score=score,
            lexical_score=score,
        )
    import json

    block = json.loads(hit.data)
    return UnifiedSearchResult(
        content_type=kind,
        content_id=hit.id,
        searchable_text=" ".join((block["name"], block["description"])),
        metadata=block,
        combined_score=score,
        lexical_score=score,
    )
