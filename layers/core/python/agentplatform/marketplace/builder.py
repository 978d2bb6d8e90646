"""The builder's block menu: ``/api/builder/*`` (AutoGPT's ``api/features/builder/db.py``).

Blocks come from the registry, as ``GET /api/blocks`` shows them. Search runs on the
store's engine: blocks in an index built once per warm Lambda (about a hundred
documents, tens of milliseconds), marketplace agents in the store's published index,
and the caller's library agents in an index built for the request.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from agentplatform.marketplace.search import IndexDoc, SearchIndex
from agentplatform.marketplace.views import pagination
from agentplatform.models.builder import (
    BlockCategoryResponse,
    BlockInfo,
    BlockResponse,
    BlockType,
    CountResponse,
    FilterType,
    Provider,
    ProviderResponse,
    SearchEntry,
    SearchResponse,
    SuggestionsResponse,
)
from agentplatform.models.library import LibraryAgent
from agentplatform.store.marketplace import BuilderSearchRepository, MarketplaceRepository

# The block that runs another agent is offered as the agents themselves.
EXCLUDED_BLOCK_IDS = frozenset({"e189baac-8c20-45a1-94a7-55177ea42565"})
ALL_FILTERS: tuple[FilterType, ...] = ("blocks", "integrations", "marketplace_agents", "my_agents")
OTTO_SUGGESTIONS = [
    "What blocks do I need to get started?",
    "Help me create a list",
    "Help me feed my data to Google Maps",
]
SUGGESTED_PROVIDERS = ["twitter", "github", "notion", "google", "discord", "google_maps"]
RECENT_SEARCHES = 5
TOP_BLOCKS = 5
MAX_AGENT_RESULTS = 100
# Blocks lead agents of similar relevance (upstream adds a fixed boost to every block).
BLOCK_SCORE_BOOST = 2.0
_IO_TYPES = {"Input": "input", "Output": "output"}
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _catalogue() -> tuple[BlockInfo, ...]:
    """Every enabled block's ``BlockInfo``, in registry order."""
    from agentplatform.blocks.catalogue import catalogue_entries
    from agentplatform.blocks.registry import get_blocks

    return tuple(e for e in catalogue_entries(get_blocks()) if e["id"] not in EXCLUDED_BLOCK_IDS)


def _providers_of(info: BlockInfo) -> list[str]:
    """The credential providers a block's input asks for (none: not an integration)."""
    providers: list[str] = []
    for name, schema in info["inputSchema"].get("properties", {}).items():
        if name == "credentials" or name.endswith("_credentials"):
            providers += [p for p in schema.get("credentials_provider", []) if p not in providers]
    return providers


def _kind(info: BlockInfo) -> str:
    return _IO_TYPES.get(info["uiType"], "action")


def _categories(info: BlockInfo) -> list[str]:
    return [c["category"].lower() for c in info["categories"]]


def _words(name: str) -> str:
    """``AITextGeneratorBlock`` -> ``AI Text Generator Block`` (so each word matches)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)


_blocks: SearchIndex | None = None


def block_index() -> SearchIndex:
    """Blocks in an in-memory index, built on first use in this Lambda."""
    global _blocks
    with _lock:
        if _blocks is None:
            _blocks = SearchIndex.build(
                IndexDoc(
                    kind="block",
                    id=info["id"],
                    name=_words(info["name"]),
                    description=info["description"],
                    categories=_categories(info),
                    tags=["integration"] if _providers_of(info) else ["block"],
                    data=json.dumps(
                        {
                            "name": info["name"],
                            "description": info["description"],
                            "categories": _categories(info),
                        }
                    ).encode(),
                )
                for info in _catalogue()
            )
        return _blocks


def _page(items: Sequence[Any], page: int, page_size: int) -> list[Any]:
    start = (page - 1) * page_size
    return list(items[start : start + page_size])


class BuilderService:
    def __init__(self, repo: MarketplaceRepository | None = None):
        self.repo = repo or MarketplaceRepository()
        self.searches = BuilderSearchRepository(self.repo.table)

    # -- the catalogue

    def categories(self, blocks_per_category: int) -> list[BlockCategoryResponse]:
        categories: dict[str, BlockCategoryResponse] = {}
        for info in _catalogue():
            for name in _categories(info):
                category = categories.setdefault(
                    name, BlockCategoryResponse(name=name, total_blocks=0, blocks=[])
                )
                category.total_blocks += 1
                if len(category.blocks) < blocks_per_category:
                    category.blocks.append(info)
        return sorted(categories.values(), key=lambda category: category.name)

    def blocks(
        self,
        *,
        category: str | None,
        type: BlockType | None,
        provider: str | None,
        page: int,
        page_size: int,
    ) -> BlockResponse:
        if sum(1 for given in (category, type, provider) if given) > 1:
            raise ValueError("Only one of category, type, or provider can be specified")
        matching = [
            info
            for info in _catalogue()
            if (not category or category.lower() in _categories(info))
            and (type in (None, "all") or _kind(info) == type)
            and (not provider or provider in _providers_of(info))
        ]
        return BlockResponse(
            blocks=_page(matching, page, page_size), pagination=pagination(len(matching), page, page_size)
        )

    def batch(self, block_ids: Sequence[str]) -> list[BlockInfo]:
        by_id = {info["id"]: info for info in _catalogue()}
        return [by_id[block_id] for block_id in block_ids if block_id in by_id]

    def providers(self, page: int, page_size: int) -> ProviderResponse:
        counts: dict[str, int] = {}
        for info in _catalogue():
            for provider in _providers_of(info):
                counts[provider] = counts.get(provider, 0) + 1
        providers = [Provider(name=name, description="", integration_count=n) for name, n in counts.items()]
        return ProviderResponse(
            providers=_page(providers, page, page_size),
            pagination=pagination(len(providers), page, page_size),
        )

    def counts(self, user_id: str) -> CountResponse:
        blocks = _catalogue()
        kinds = [_kind(info) for info in blocks]
        return CountResponse(
            all_blocks=len(blocks),
            input_blocks=kinds.count("input"),
            action_blocks=kinds.count("action"),
            output_blocks=kinds.count("output"),
            integrations=sum(1 for info in blocks if _providers_of(info)),
            marketplace_agents=self._marketplace_count(),
            my_agents=len(self._library_docs(user_id)),
        )

    def _marketplace_count(self) -> int:
        from agentplatform.marketplace import index

        return index.current(self.repo).search("agent", order="name", limit=1)[1]

    def suggestions(self, user_id: str) -> SuggestionsResponse:
        standard = [info for info in _catalogue() if info["uiType"] in ("Standard", "AI")]
        return SuggestionsResponse(
            otto_suggestions=OTTO_SUGGESTIONS,
            recent_searches=[
                SearchEntry(**entry) for entry in self.searches.recent(user_id, RECENT_SEARCHES)
            ],
            providers=SUGGESTED_PROVIDERS,
            # upstream: the most run blocks of the last 14 days; here the first standard ones
            top_blocks=standard[:TOP_BLOCKS],
        )

    # -- search

    def search(
        self,
        user_id: str,
        *,
        search_query: str | None,
        filters: Sequence[FilterType] | None,
        search_id: str | None,
        by_creator: Sequence[str] | None,
        page: int,
        page_size: int,
    ) -> SearchResponse:
        """Blocks, integrations, marketplace agents and the caller's agents, most relevant
        first (by name without a query)."""
        query = (search_query or "").strip()[:100]
        wanted = tuple(dict.fromkeys(filters or ALL_FILTERS))
        totals: dict[FilterType, int] = dict.fromkeys(ALL_FILTERS, 0)
        scored: list[tuple[float, str, Any]] = []
        for group in ("blocks", "integrations"):
            if group in wanted:
                found = self._blocks(query, "block" if group == "blocks" else "integration")
                totals[group] = len(found)
                scored += found
        if "marketplace_agents" in wanted:
            found = self._marketplace(query, by_creator)
            totals["marketplace_agents"] = len(found)
            scored += found
        if "my_agents" in wanted:
            found = self._library(user_id, query)
            totals["my_agents"] = len(found)
            scored += found
        scored.sort(key=lambda entry: (-entry[0], entry[1]))
        items = [item for _, _, item in scored]
        search_id = search_id or str(uuid.uuid4())
        entry = SearchEntry(search_query=query, filter=list(wanted), by_creator=list(by_creator or []))
        self.searches.save(user_id, search_id, entry.model_dump(exclude={"search_id"}))
        return SearchResponse(
            items=_page(items, page, page_size),
            search_id=search_id,
            total_items=totals,
            pagination=pagination(len(items), page, page_size),
        )

    def _blocks(self, query: str, tag: str) -> list[tuple[float, str, Any]]:
        by_id = {info["id"]: info for info in _catalogue()}
        if not query:
            return [
                (0.0, by_id[i]["name"].lower(), by_id[i])
                for i in by_id
                if ("integration" if _providers_of(by_id[i]) else "block") == tag
            ]
        hits, _ = block_index().search("block", text=query, tag=tag, limit=len(by_id))
        return [(hit.score * BLOCK_SCORE_BOOST, by_id[hit.id]["name"].lower(), by_id[hit.id]) for hit in hits]

    def _marketplace(self, query: str, by_creator: Sequence[str] | None) -> list[tuple[float, str, Any]]:
        from agentplatform.marketplace.listings import ListingService

        if not query:
            listed = (
                ListingService(self.repo)
                .agents(creators=list(by_creator or []), page=1, page_size=MAX_AGENT_RESULTS)
                .agents
            )
            return [(0.0, agent.agent_name.lower(), agent) for agent in listed]
        from agentplatform.marketplace import index
        from agentplatform.marketplace.views import is_public, store_agent

        hits, _ = index.current(self.repo).search(
            "agent", text=query, creators=[c.lower() for c in by_creator or []], limit=MAX_AGENT_RESULTS
        )
        listings = {listing["id"]: listing for listing in self.repo.get_listings([hit.id for hit in hits])}
        found: list[tuple[float, str, Any]] = []
        for hit in hits:
            listing = listings.get(hit.id)
            if listing is not None and is_public(listing):
                agent = store_agent(listing)
                found.append((hit.score, agent.agent_name.lower(), agent))
        return found

    def _library_docs(self, user_id: str) -> list[dict[str, Any]]:
        from agentplatform.store.library import LibraryRepository

        docs = LibraryRepository(self.repo.table).list_agent_docs(user_id)
        return [doc for doc in docs if not doc["is_deleted"] and not doc["is_archived"]]

    def _library(self, user_id: str, query: str) -> list[tuple[float, str, Any]]:
        from agentplatform.library.service import to_library_agent
        from agentplatform.store.library import LibraryRepository

        docs = self._library_docs(user_id)
        scores = {doc["id"]: 0.0 for doc in docs}
        if query:
            matched, _ = SearchIndex.build(
                IndexDoc(kind="agent", id=doc["id"], name=doc["name"], description=doc["description"])
                for doc in docs
            ).search("agent", text=query, limit=MAX_AGENT_RESULTS)
            scores = {hit.id: hit.score for hit in matched}
        items = LibraryRepository(self.repo.table).get_agents(user_id, list(scores)[:MAX_AGENT_RESULTS])
        agents: list[tuple[float, str, LibraryAgent]] = [
            (scores[item["id"]], item["name"].lower(), to_library_agent(item)) for item in items
        ]
        return agents
