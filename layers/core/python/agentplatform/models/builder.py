"""The builder's block-menu shapes (AutoGPT's ``api/features/builder/model.py``).

A block appears as ``BlockInfo``: ``GET /api/blocks``' entry (``to_dict()`` plus
``costs``), kept as a plain dict here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from agentplatform.models.execution import Pagination
from agentplatform.models.library import LibraryAgent
from agentplatform.models.marketplace import StoreAgent

FilterType = Literal["blocks", "integrations", "marketplace_agents", "my_agents"]
BlockType = Literal["all", "input", "action", "output"]
BlockInfo = dict[str, Any]


class SearchEntry(BaseModel):
    search_query: str | None = None
    filter: list[FilterType] | None = None
    by_creator: list[str] | None = None
    search_id: str | None = None


class SuggestionsResponse(BaseModel):
    otto_suggestions: list[str]
    recent_searches: list[SearchEntry]
    providers: list[str]
    top_blocks: list[BlockInfo]


class BlockCategoryResponse(BaseModel):
    name: str
    total_blocks: int
    blocks: list[BlockInfo]


class BlockResponse(BaseModel):
    blocks: list[BlockInfo]
    pagination: Pagination


class Provider(BaseModel):
    name: str
    description: str
    integration_count: int


class ProviderResponse(BaseModel):
    providers: list[Provider]
    pagination: Pagination


class SearchResponse(BaseModel):
    items: list[LibraryAgent | StoreAgent | BlockInfo]
    search_id: str
    total_items: dict[FilterType, int]
    pagination: Pagination


class CountResponse(BaseModel):
    all_blocks: int
    input_blocks: int
    action_blocks: int
    output_blocks: int
    integrations: int
    marketplace_agents: int
    my_agents: int
