"""Web search and page reading through Jina AI (``s.jina.ai`` Search, ``r.jina.ai`` Reader).

Both answer plain text (LLM-friendly markdown) for a GET, authenticated with
``Authorization: Bearer <Jina API key>``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockCost,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from agentplatform.blocks.credentials import CredentialsField, CredentialsMetaInput
from agentplatform.blocks.service_http import ServiceClient, ServiceError, mock_credentials
from agentplatform.models.credentials import APIKeyCredentials

SEARCH_URL = "https://s.jina.ai/"
READER_URL = "https://r.jina.ai/"

TEST_CREDENTIALS, TEST_CREDENTIALS_INPUT = mock_credentials(
    "jina", "Mock Jina API key", input_title="api_key"
)


def JinaCredentialsField() -> Any:
    return CredentialsField(
        provider="jina",
        supported_types=["api_key"],
        description="The Jina integration can be used with an API Key.",
    )


async def fetch_text(url: str, api_key: str | None) -> str:
    """The text Jina answers for ``url``, or with no key the page itself."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"} if api_key else {}
    async with ServiceClient("Jina" if api_key else "Website", headers=headers, secrets=[api_key]) as client:
        return (await client.request("GET", url)).text


class SearchTheWebBlock(Block):
    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput = JinaCredentialsField()
        query: str = SchemaField(description="The search query to search the web for")

    class Output(BlockSchemaOutput):
        results: str = SchemaField(description="The search results including content from top 5 URLs")

    def __init__(self) -> None:
        super().__init__(
            id="87840993-2053-44b7-8da4-187ad4ee518c",
            description="This block searches the internet for the given search query.",
            categories={BlockCategory.SEARCH},
            input_schema=SearchTheWebBlock.Input,
            output_schema=SearchTheWebBlock.Output,
            test_input={"credentials": TEST_CREDENTIALS_INPUT, "query": "Artificial Intelligence"},
            test_credentials=TEST_CREDENTIALS,
            test_output=("results", "search content"),
            test_mock={"get_request": lambda *args, **kwargs: "search content"},
            costs=[BlockCost(cost_amount=1)],
        )

    async def get_request(self, url: str, api_key: str | None) -> str:
        return await fetch_text(url, api_key)

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **kwargs: Any
    ) -> BlockOutput:
        url = SEARCH_URL + quote(input_data.query)
        try:
            results = await self.get_request(url, credentials.api_key.get_secret_value())
        except ServiceError as exc:
            # Upstream's wording: a 4xx is the request's fault, a 5xx the service's.
            server_side = exc.status_code is None or exc.status_code >= 500
            prefix = "Search service unavailable" if server_side else "Search request failed"
            raise ValueError(f"{prefix}: {exc}") from None
        yield "results", results


class ExtractWebsiteContentBlock(Block):
    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput = JinaCredentialsField()
        url: str = SchemaField(description="The URL to scrape the content from")
        raw_content: bool = SchemaField(
            default=False,
            title="Raw Content",
            description=(
                "Whether to do a raw scrape of the content or use Jina-ai Reader to scrape the content"
            ),
            advanced=True,
        )

    class Output(BlockSchemaOutput):
        content: str = SchemaField(description="The scraped content from the given URL")
        error: str = SchemaField(description="Error message if the content cannot be retrieved")

    def __init__(self) -> None:
        super().__init__(
            id="436c3984-57fd-4b85-8e9a-459b356883bd",
            description="This block scrapes the content from the given web URL.",
            categories={BlockCategory.SEARCH},
            input_schema=ExtractWebsiteContentBlock.Input,
            output_schema=ExtractWebsiteContentBlock.Output,
            test_input={
                "url": "https://en.wikipedia.org/wiki/Artificial_intelligence",
                "credentials": TEST_CREDENTIALS_INPUT,
            },
            test_credentials=TEST_CREDENTIALS,
            test_output=("content", "scraped content"),
            test_mock={"get_request": lambda *args, **kwargs: "scraped content"},
            costs=[BlockCost(cost_amount=1, cost_filter={"raw_content": False})],
        )

    async def get_request(self, url: str, api_key: str | None) -> str:
        return await fetch_text(url, api_key)

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **kwargs: Any
    ) -> BlockOutput:
        if input_data.raw_content:  # the page itself, through the SSRF-safe client
            content = await self.get_request(input_data.url, None)
        else:
            content = await self.get_request(
                READER_URL + input_data.url, credentials.api_key.get_secret_value()
            )
        yield "content", content
