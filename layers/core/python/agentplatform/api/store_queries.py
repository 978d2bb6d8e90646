"""The store's list queries, shared by ``/api/store`` and ``/external-api/v1/store``.

Each is a FastAPI dependency: its fields are the query parameters (same names,
defaults and bounds on both APIs), and ``run`` answers the page. A separate module,
so that the external API does not build the whole store router to reuse them.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from agentplatform.models.marketplace import (
    CreatorsResponse,
    CreatorsSort,
    StoreAgentsResponse,
    StoreAgentsSort,
)

Page = Annotated[int, Query(ge=1)]
PageSize = Annotated[int, Query(ge=1, le=100)]


def path_name(value: str) -> str:
    """A username or agent slug from a path: clients send them URL-encoded, any case."""
    return urllib.parse.unquote(value).lower()


@dataclass
class StoreAgentsQuery:
    featured: bool = False
    creator: str | None = None
    sorted_by: StoreAgentsSort | None = None
    search_query: str | None = None
    category: str | None = None
    page: Page = 1
    page_size: PageSize = 20

    def run(self) -> StoreAgentsResponse:
        from agentplatform.marketplace.listings import ListingService

        return ListingService().agents(
            featured=self.featured,
            creators=[self.creator] if self.creator else None,
            sorted_by=self.sorted_by,
            search_query=self.search_query,
            category=self.category,
            page=self.page,
            page_size=self.page_size,
        )


@dataclass
class CreatorsQuery:
    featured: bool = False
    search_query: str | None = None
    sorted_by: CreatorsSort | None = None
    page: Page = 1
    page_size: PageSize = 20

    def run(self) -> CreatorsResponse:
        from agentplatform.marketplace.profiles import ProfileService

        return ProfileService().creators(
            featured=self.featured,
            search_query=self.search_query,
            sorted_by=self.sorted_by,
            page=self.page,
            page_size=self.page_size,
        )
