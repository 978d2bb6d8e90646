"""``/api/builder``: the builder's block menu (spec §1.3 rows 90-96). Signed-in users."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from agentplatform.api.deps import UserId, requires_user
from agentplatform.models.builder import (
    BlockCategoryResponse,
    BlockInfo,
    BlockResponse,
    BlockType,
    CountResponse,
    FilterType,
    ProviderResponse,
    SearchResponse,
    SuggestionsResponse,
)

router = APIRouter(prefix="/api/builder", tags=["v2", "builder"], dependencies=[Depends(requires_user)])

Page = Annotated[int, Query(ge=1)]
PageSize = Annotated[int, Query(ge=1, le=250)]


def _builder() -> Any:
    from agentplatform.marketplace.builder import BuilderService

    return BuilderService()


@router.get("/suggestions", summary="Get Builder suggestions")
def get_suggestions(user_id: UserId) -> SuggestionsResponse:
    return _builder().suggestions(user_id)


@router.get("/categories", summary="Get Builder block categories")
def get_block_categories(blocks_per_category: Annotated[int, Query(ge=0)] = 3) -> list[BlockCategoryResponse]:
    return _builder().categories(blocks_per_category)


@router.get("/blocks", summary="Get Builder blocks", responses={400: {"description": "More than one filter"}})
def get_blocks(
    category: str | None = None,
    type: BlockType | None = None,
    provider: str | None = None,
    page: Page = 1,
    page_size: PageSize = 50,
) -> BlockResponse:
    return _builder().blocks(category=category, type=type, provider=provider, page=page, page_size=page_size)


@router.get("/blocks/batch", summary="Get specific blocks")
def get_specific_blocks(block_ids: Annotated[list[str], Query(max_length=100)]) -> list[BlockInfo]:
    return _builder().batch(block_ids)


@router.get("/providers", summary="Get Builder integration providers")
def get_providers(page: Page = 1, page_size: PageSize = 50) -> ProviderResponse:
    return _builder().providers(page, page_size)


@router.get("/search", summary="Builder search", tags=["store", "private"])
def search(
    user_id: UserId,
    search_query: str | None = None,
    filter: Annotated[list[FilterType] | None, Query()] = None,
    search_id: Annotated[str | None, Query(max_length=64)] = None,
    by_creator: Annotated[list[str] | None, Query()] = None,
    page: Page = 1,
    page_size: PageSize = 50,
) -> SearchResponse:
    return _builder().search(
        user_id,
        search_query=search_query,
        filters=filter,
        search_id=search_id,
        by_creator=by_creator,
        page=page,
        page_size=page_size,
    )


@router.get("/counts", summary="Get Builder item counts")
def get_counts(user_id: UserId) -> CountResponse:
    return _builder().counts(user_id)
