"""Keyword research with DataForSEO Labs (https://docs.dataforseo.com/v3/dataforseo_labs/),
over its HTTP API.

Both blocks post one task to a ``.../live`` endpoint with HTTP Basic authentication
(the account's API login and password, a ``user_password`` credential). DataForSEO
answers HTTP 200 with a ``status_code`` per request and per task (``20000`` is success);
anything else fails the node with DataForSEO's ``status_message``.
"""

from __future__ import annotations

import base64
from typing import Any

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockCost,
    BlockOutput,
    BlockSchema,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from agentplatform.blocks.credentials import CredentialsField, CredentialsMetaInput
from agentplatform.blocks.service_http import ServiceError, mock_credentials, request_json
from agentplatform.models.credentials import UserPasswordCredentials

API = "https://api.dataforseo.com/v3/dataforseo_labs/google"
TASK_OK = 20000

TEST_CREDENTIALS, TEST_CREDENTIALS_INPUT = mock_credentials(
    "dataforseo",
    "Mock DataForSEO credentials",
    username="mock-dataforseo-username",
    password="mock-dataforseo-password",
)


async def live_task(credentials: UserPasswordCredentials, endpoint: str, task: dict[str, Any]) -> list[Any]:
    """Run one Labs task; its ``result`` list."""
    username = credentials.username.get_secret_value()
    password = credentials.password.get_secret_value()
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    reply = await request_json(
        "DataForSEO",
        "POST",
        f"{API}/{endpoint}/live",
        secrets=[token, password, username],
        headers={"Authorization": f"Basic {token}"},
        json=[{k: v for k, v in task.items() if v is not None}],
    )
    if reply.get("status_code", TASK_OK) != TASK_OK:
        raise ServiceError(f"DataForSEO API error: {reply.get('status_message', 'Unknown error')}")
    tasks = reply.get("tasks") or []
    if not tasks:
        return []
    if tasks[0].get("status_code") != TASK_OK:
        raise ServiceError(f"DataForSEO task error: {tasks[0].get('status_message', 'Task failed')}")
    return list(tasks[0].get("result") or [])


def _items(results: Any) -> list[dict[str, Any]]:
    first = results[0] if isinstance(results, list) and results else results
    items = first.get("items") if isinstance(first, dict) else None
    return [item for item in items or [] if isinstance(item, dict)]


def _metrics(data: dict[str, Any], include_serp: bool, include_clickstream: bool) -> dict[str, Any]:
    info = data.get("keyword_info") or {}
    properties = data.get("keyword_properties") or {}
    return {
        "search_volume": info.get("search_volume"),
        "competition": info.get("competition"),
        "cpc": info.get("cpc"),
        "keyword_difficulty": properties.get("keyword_difficulty"),
        "serp_info": data.get("serp_info") if include_serp else None,
        "clickstream_data": data.get("clickstream_keyword_info") if include_clickstream else None,
    }


class _KeywordInput(BlockSchemaInput):
    """What both Labs blocks take (each describes its seed keyword)."""

    credentials: CredentialsMetaInput = CredentialsField(
        provider="dataforseo",
        supported_types=["user_password"],
        description="DataForSEO credentials (username and password)",
    )
    keyword: str = SchemaField(description="Seed keyword")
    location_code: int | None = SchemaField(
        description="Location code for targeting (e.g., 2840 for USA)", default=2840
    )
    language_code: str | None = SchemaField(
        description="Language code (e.g., 'en' for English)", default="en"
    )
    include_seed_keyword: bool = SchemaField(description="Include the seed keyword in results", default=True)
    include_serp_info: bool = SchemaField(description="Include SERP information", default=False)
    include_clickstream_data: bool = SchemaField(description="Include clickstream metrics", default=False)
    limit: int = SchemaField(description="Maximum number of results (up to 3000)", default=100, ge=1, le=3000)

    def task(self, keyword: str) -> dict[str, Any]:
        return {
            "keyword": keyword,
            "location_code": self.location_code,
            "language_code": self.language_code,
            "include_seed_keyword": self.include_seed_keyword,
            "include_serp_info": self.include_serp_info,
            "include_clickstream_data": self.include_clickstream_data,
            "limit": self.limit,
        }


# -- DataForSeoKeywordSuggestionsBlock


class KeywordSuggestion(BlockSchema):
    """Schema for a keyword suggestion result."""

    keyword: str = SchemaField(description="The keyword suggestion")
    search_volume: int | None = SchemaField(description="Monthly search volume", default=None)
    competition: float | None = SchemaField(description="Competition level (0-1)", default=None)
    cpc: float | None = SchemaField(description="Cost per click in USD", default=None)
    keyword_difficulty: int | None = SchemaField(description="Keyword difficulty score", default=None)
    serp_info: dict[str, Any] | None = SchemaField(
        description="data from SERP for each keyword", default=None
    )
    clickstream_data: dict[str, Any] | None = SchemaField(
        description="Clickstream data metrics", default=None
    )


class DataForSeoKeywordSuggestionsBlock(Block):
    """Block for getting keyword suggestions from DataForSEO Labs."""

    class Input(_KeywordInput):
        keyword: str = SchemaField(description="Seed keyword to get suggestions for")

    class Output(BlockSchemaOutput):
        suggestions: list[KeywordSuggestion] = SchemaField(
            description="List of keyword suggestions with metrics"
        )
        suggestion: KeywordSuggestion = SchemaField(description="A single keyword suggestion with metrics")
        total_count: int = SchemaField(description="Total number of suggestions returned")
        seed_keyword: str = SchemaField(description="The seed keyword used for the query")

    def __init__(self) -> None:
        super().__init__(
            id="73c3e7c4-2b3f-4e9f-9e3e-8f7a5c3e2d45",
            description="Get keyword suggestions from DataForSEO Labs Google API",
            categories={BlockCategory.SEARCH, BlockCategory.DATA},
            input_schema=DataForSeoKeywordSuggestionsBlock.Input,
            output_schema=DataForSeoKeywordSuggestionsBlock.Output,
            test_input={
                "credentials": TEST_CREDENTIALS_INPUT,
                "keyword": "digital marketing",
                "location_code": 2840,
                "language_code": "en",
                "limit": 1,
            },
            test_credentials=TEST_CREDENTIALS,
            test_output=[
                ("suggestion", lambda x: hasattr(x, "keyword") and x.keyword == "digital marketing strategy"),
                ("suggestions", lambda x: isinstance(x, list) and len(x) == 1),
                ("total_count", 1),
                ("seed_keyword", "digital marketing"),
            ],
            test_mock={
                "_fetch_keyword_suggestions": lambda *args, **kwargs: [
                    {
                        "items": [
                            {
                                "keyword": "digital marketing strategy",
                                "keyword_info": {"search_volume": 10000, "competition": 0.5, "cpc": 2.5},
                                "keyword_properties": {"keyword_difficulty": 50},
                            }
                        ]
                    }
                ]
            },
            costs=[BlockCost(cost_amount=1)],
        )

    async def _fetch_keyword_suggestions(
        self, credentials: UserPasswordCredentials, input_data: Input
    ) -> Any:
        return await live_task(credentials, "keyword_suggestions", input_data.task(input_data.keyword))

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: UserPasswordCredentials, **kwargs: Any
    ) -> BlockOutput:
        try:
            results = await self._fetch_keyword_suggestions(credentials, input_data)
        except ServiceError as exc:
            yield "error", f"Failed to fetch keyword suggestions: {exc}"
            return
        suggestions = []
        for item in _items(results):
            suggestion = KeywordSuggestion(
                keyword=item.get("keyword", ""),
                **_metrics(item, input_data.include_serp_info, input_data.include_clickstream_data),
            )
            yield "suggestion", suggestion
            suggestions.append(suggestion)
        yield "suggestions", suggestions
        yield "total_count", len(suggestions)
        yield "seed_keyword", input_data.keyword


# -- DataForSeoRelatedKeywordsBlock


class RelatedKeyword(BlockSchema):
    """Schema for a related keyword result."""

    keyword: str = SchemaField(description="The related keyword")
    search_volume: int | None = SchemaField(description="Monthly search volume", default=None)
    competition: float | None = SchemaField(description="Competition level (0-1)", default=None)
    cpc: float | None = SchemaField(description="Cost per click in USD", default=None)
    keyword_difficulty: int | None = SchemaField(description="Keyword difficulty score", default=None)
    serp_info: dict[str, Any] | None = SchemaField(description="SERP data for the keyword", default=None)
    clickstream_data: dict[str, Any] | None = SchemaField(
        description="Clickstream data metrics", default=None
    )


class DataForSeoRelatedKeywordsBlock(Block):
    """Block for getting related keywords from DataForSEO Labs."""

    class Input(_KeywordInput):
        keyword: str = SchemaField(description="Seed keyword to find related keywords for")
        depth: int = SchemaField(
            description=(
                "Keyword search depth (0-4). Controls the number of returned keywords: 0=1 keyword, "
                "1=~8 keywords, 2=~72 keywords, 3=~584 keywords, 4=~4680 keywords"
            ),
            default=1,
            ge=0,
            le=4,
        )

    class Output(BlockSchemaOutput):
        related_keywords: list[RelatedKeyword] = SchemaField(
            description="List of related keywords with metrics"
        )
        related_keyword: RelatedKeyword = SchemaField(description="A related keyword with metrics")
        total_count: int = SchemaField(description="Total number of related keywords returned")
        seed_keyword: str = SchemaField(description="The seed keyword used for the query")
        error: str = SchemaField(description="Error message if the API call failed")

    def __init__(self) -> None:
        super().__init__(
            id="8f2e4d6a-1b3c-4a5e-9d7f-2c8e6a4b3f1d",
            description="Get related keywords from DataForSEO Labs Google API",
            categories={BlockCategory.SEARCH, BlockCategory.DATA},
            input_schema=DataForSeoRelatedKeywordsBlock.Input,
            output_schema=DataForSeoRelatedKeywordsBlock.Output,
            test_input={
                "credentials": TEST_CREDENTIALS_INPUT,
                "keyword": "content marketing",
                "location_code": 2840,
                "language_code": "en",
                "limit": 1,
            },
            test_credentials=TEST_CREDENTIALS,
            test_output=[
                ("related_keyword", lambda x: hasattr(x, "keyword") and x.keyword == "content strategy"),
                ("related_keywords", lambda x: isinstance(x, list) and len(x) == 1),
                ("total_count", 1),
                ("seed_keyword", "content marketing"),
            ],
            test_mock={
                "_fetch_related_keywords": lambda *args, **kwargs: [
                    {
                        "items": [
                            {
                                "keyword_data": {
                                    "keyword": "content strategy",
                                    "keyword_info": {"search_volume": 8000, "competition": 0.4, "cpc": 3.0},
                                    "keyword_properties": {"keyword_difficulty": 45},
                                }
                            }
                        ]
                    }
                ]
            },
            costs=[BlockCost(cost_amount=1)],
        )

    async def _fetch_related_keywords(self, credentials: UserPasswordCredentials, input_data: Input) -> Any:
        task = {**input_data.task(input_data.keyword), "depth": input_data.depth}
        return await live_task(credentials, "related_keywords", task)

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: UserPasswordCredentials, **kwargs: Any
    ) -> BlockOutput:
        try:
            results = await self._fetch_related_keywords(credentials, input_data)
        except ServiceError as exc:
            yield "error", f"Failed to fetch related keywords: {exc}"
            return
        related = []
        for item in _items(results):
            data = item.get("keyword_data") or {}
            keyword = RelatedKeyword(
                keyword=data.get("keyword", ""),
                **_metrics(data, input_data.include_serp_info, input_data.include_clickstream_data),
            )
            yield "related_keyword", keyword
            related.append(keyword)
        yield "related_keywords", related
        yield "total_count", len(related)
        yield "seed_keyword", input_data.keyword
