"""``/api/library/agents``: the user's library of agents (spec §1.5 "Library")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from agentplatform.api.deps import UserId
from agentplatform.library.service import LibraryService
from agentplatform.models.library import (
    AddMarketplaceAgentRequest,
    LibraryAgent,
    LibraryAgentResponse,
    LibraryAgentSort,
    LibraryAgentUpdateRequest,
)

router = APIRouter(prefix="/api/library/agents", tags=["v2", "library", "private"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Not in the caller's library"}}
BAD_REQUEST: dict[int | str, dict[str, Any]] = {400: {"description": "Invalid request"}}


def library_service() -> LibraryService:
    return LibraryService()


Library = Annotated[LibraryService, Depends(library_service)]
Page = Annotated[int, Query(ge=1, description="Page number to retrieve (must be >= 1)")]
PageSize = Annotated[int, Query(ge=1, description="Number of agents per page (must be >= 1)")]


@router.get("", summary="List Library Agents", responses=BAD_REQUEST)
def list_library_agents(
    user_id: UserId,
    library: Library,
    search_term: Annotated[str | None, Query(description="Search term to filter agents")] = None,
    sort_by: Annotated[LibraryAgentSort, Query(description="Criteria to sort results by")] = (
        LibraryAgentSort.UPDATED_AT
    ),
    page: Page = 1,
    page_size: PageSize = 15,
) -> LibraryAgentResponse:
    """Every agent in the user's library (created and added), not deleted or archived."""
    return library.list(user_id, search_term, sort_by, page, page_size)


@router.get("/favorites", summary="List Favorite Library Agents")
def list_favorite_library_agents(
    user_id: UserId, library: Library, page: Page = 1, page_size: PageSize = 15
) -> LibraryAgentResponse:
    return library.favorites(user_id, page, page_size)


@router.get("/{library_agent_id}", summary="Get Library Agent", responses=NOT_FOUND)
def get_library_agent(user_id: UserId, library: Library, library_agent_id: str) -> LibraryAgent:
    return library.get(user_id, library_agent_id)


@router.get("/by-graph/{graph_id}", summary="Get Library Agent By Graph ID", responses=NOT_FOUND)
def get_library_agent_by_graph_id(
    user_id: UserId, library: Library, graph_id: str, version: int | None = None
) -> LibraryAgent:
    return library.by_graph(user_id, graph_id, version)


@router.get(
    "/marketplace/{store_listing_version_id}",
    summary="Get Agent By Store ID",
    tags=["store"],
    responses=NOT_FOUND,
)
def get_library_agent_by_store_listing_version_id(
    user_id: UserId, library: Library, store_listing_version_id: str
) -> LibraryAgent | None:
    """The caller's agent for a store listing version, or null when it is not in their library."""
    return library.by_listing(user_id, store_listing_version_id)


@router.post("", summary="Add Marketplace Agent", status_code=201, responses=NOT_FOUND)
def add_marketplace_agent_to_library(
    user_id: UserId, library: Library, body: AddMarketplaceAgentRequest
) -> LibraryAgent:
    return library.add_marketplace_agent(user_id, body.store_listing_version_id)


@router.patch("/{library_agent_id}", summary="Update Library Agent", responses={**NOT_FOUND, **BAD_REQUEST})
def update_library_agent(
    user_id: UserId, library: Library, library_agent_id: str, payload: LibraryAgentUpdateRequest
) -> LibraryAgent:
    return library.update(user_id, library_agent_id, payload)


@router.delete("/{library_agent_id}", summary="Delete Library Agent", status_code=204, responses=NOT_FOUND)
def delete_library_agent(user_id: UserId, library: Library, library_agent_id: str) -> Response:
    """Soft-delete the agent: it leaves the library; its graph stays."""
    library.delete(user_id, library_agent_id)
    return Response(status_code=204)


@router.post("/{library_agent_id}/fork", summary="Fork Library Agent", responses=NOT_FOUND)
def fork_library_agent(user_id: UserId, library: Library, library_agent_id: str) -> LibraryAgent:
    return library.fork(user_id, library_agent_id)
