"""Crawling, mapping and extraction with Firecrawl's v2 API (https://docs.firecrawl.dev),
over HTTP with the API key as a Bearer token.

- Crawl is a job: ``POST /v2/crawl`` answers its ``id``; ``GET /v2/crawl/{id}`` reports
  ``scraping`` until ``completed`` (pages in ``data``, more behind ``next`` when the
  result passes 10 MB) or ``failed``. Extract is a job the same way (``/v2/extract``).
  The blocks poll every 2 s as Firecrawl's SDK does, within
  ``SERVICE_POLL_TIMEOUT_SECONDS``; a crawl still running then is cancelled
  (``DELETE /v2/crawl/{id}``).
- Map is one call: ``POST /v2/map``.

Pages come back with the SDK's snake_case names (``raw_html``, ``change_tracking``,
``metadata.source_url``), as upstream's blocks (built on the SDK) output them.
"""

from __future__ import annotations

import contextlib
import enum
import re
from typing import Any
from urllib.parse import urlsplit

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
from agentplatform.blocks.service_http import PollTimeout, ServiceError, mock_credentials, poll, request_json
from agentplatform.models.credentials import APIKeyCredentials

API = "https://api.firecrawl.dev/v2"
POLL_SECONDS = 2.0
TEST_CREDENTIALS, TEST_CREDENTIALS_INPUT = mock_credentials("firecrawl", "Mock Firecrawl API key")
_FAILED = {"failed", "cancelled"}


class ScrapeFormat(enum.StrEnum):
    MARKDOWN = "markdown"
    HTML = "html"
    RAW_HTML = "rawHtml"
    LINKS = "links"
    SCREENSHOT = "screenshot"
    SCREENSHOT_FULL_PAGE = "screenshot@fullPage"
    JSON = "json"
    CHANGE_TRACKING = "changeTracking"


# Which output pin carries each format, and under which page key it arrives.
FORMAT_OUTPUTS = {
    ScrapeFormat.MARKDOWN: ("markdown", "markdown"),
    ScrapeFormat.HTML: ("html", "html"),
    ScrapeFormat.RAW_HTML: ("raw_html", "raw_html"),
    ScrapeFormat.LINKS: ("links", "links"),
    ScrapeFormat.SCREENSHOT: ("screenshot", "screenshot"),
    ScrapeFormat.SCREENSHOT_FULL_PAGE: ("screenshot_full_page", "screenshot"),
    ScrapeFormat.JSON: ("json_data", "json"),
    ScrapeFormat.CHANGE_TRACKING: ("change_tracking", "change_tracking"),
}


def _credentials_field() -> Any:
    return CredentialsField(
        provider="firecrawl", supported_types=["api_key"], description="Firecrawl credentials"
    )


def _format_option(value: ScrapeFormat) -> str | dict[str, Any]:
    if value == ScrapeFormat.SCREENSHOT_FULL_PAGE:
        return {"type": "screenshot", "fullPage": True}
    return value.value


def _snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()


def sdk_page(page: dict[str, Any]) -> dict[str, Any]:
    """A page with the SDK's field names (its metadata too)."""
    converted = {_snake(key): value for key, value in page.items()}
    if isinstance(converted.get("metadata"), dict):
        converted["metadata"] = {_snake(key): value for key, value in converted["metadata"].items()}
    return converted


async def firecrawl(api_key: str, method: str, url: str, body: Any = None) -> dict[str, Any]:
    return await request_json(
        "Firecrawl", method, url, secrets=[api_key], headers={"Authorization": f"Bearer {api_key}"}, json=body
    )


def _failure(job: dict[str, Any], what: str) -> ServiceError:
    return ServiceError(f"Firecrawl {what} {job.get('status')}: {job.get('error') or 'no details given'}")


class FirecrawlCrawlBlock(Block):
    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput = _credentials_field()
        url: str = SchemaField(description="The URL to crawl")
        limit: int = SchemaField(description="The number of pages to crawl", default=10)
        only_main_content: bool = SchemaField(
            description="Only return the main content of the page excluding headers, navs, footers, etc.",
            default=True,
        )
        max_age: int = SchemaField(
            description="The maximum age of the page in milliseconds - default is 1 hour", default=3600000
        )
        wait_for: int = SchemaField(
            description=(
                "Specify a delay in milliseconds before fetching the content, allowing the page "
                "sufficient time to load."
            ),
            default=0,
        )
        formats: list[ScrapeFormat] = SchemaField(
            description="The format of the crawl", default_factory=lambda: [ScrapeFormat.MARKDOWN]
        )

    class Output(BlockSchemaOutput):
        data: list[dict[str, Any]] = SchemaField(description="The result of the crawl")
        markdown: str = SchemaField(description="The markdown of the crawl")
        html: str = SchemaField(description="The html of the crawl")
        raw_html: str = SchemaField(description="The raw html of the crawl")
        links: list[str] = SchemaField(description="The links of the crawl")
        screenshot: str = SchemaField(description="The screenshot of the crawl")
        screenshot_full_page: str = SchemaField(description="The screenshot full page of the crawl")
        json_data: dict[str, Any] = SchemaField(description="The json data of the crawl")
        change_tracking: dict[str, Any] = SchemaField(description="The change tracking of the crawl")

    def __init__(self) -> None:
        super().__init__(
            id="bdbbaba0-03b7-4971-970e-699e2de6015e",
            description="Firecrawl crawls websites to extract comprehensive data while bypassing blockers.",
            categories={BlockCategory.SEARCH},
            input_schema=FirecrawlCrawlBlock.Input,
            output_schema=FirecrawlCrawlBlock.Output,
            # Upstream ships no vector for this block; this one mocks the crawl job.
            test_input={
                "credentials": TEST_CREDENTIALS_INPUT,
                "url": "https://example.com",
                "formats": ["markdown", "links"],
            },
            test_output=[
                ("data", [{"markdown": "# Example", "links": ["https://example.com/a"]}]),
                ("markdown", "# Example"),
                ("links", ["https://example.com/a"]),
            ],
            test_mock={
                "crawl": lambda *args, **kwargs: [
                    {"markdown": "# Example", "links": ["https://example.com/a"]}
                ]
            },
            test_credentials=TEST_CREDENTIALS,
            costs=[BlockCost(cost_amount=1)],
        )

    async def crawl(
        self, api_key: str, url: str, limit: int, scrape_options: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Start a crawl, wait for it, and return every page (following ``next``)."""
        job = await firecrawl(
            api_key, "POST", f"{API}/crawl", {"url": url, "limit": limit, "scrapeOptions": scrape_options}
        )
        job_id = job.get("id")
        if not job_id:
            raise ServiceError("Firecrawl did not return a crawl id")

        async def finished() -> dict[str, Any] | None:
            status = await firecrawl(api_key, "GET", f"{API}/crawl/{job_id}")
            if status.get("status") in _FAILED:
                raise _failure(status, "crawl")
            return status if status.get("status") == "completed" else None

        try:
            status = await poll(finished, what="Firecrawl crawl", interval=POLL_SECONDS)
        except PollTimeout:
            with contextlib.suppress(ServiceError):  # best effort: stop paying for it
                await firecrawl(api_key, "DELETE", f"{API}/crawl/{job_id}")
            raise
        pages = list(status.get("data") or [])
        fetched: set[str] = set()
        while (next_url := status.get("next")) and next_url not in fetched:
            if urlsplit(next_url).hostname != urlsplit(API).hostname:
                raise ServiceError("Firecrawl pointed to results on another host")  # keep the key home
            fetched.add(next_url)
            status = await firecrawl(api_key, "GET", next_url)
            pages.extend(status.get("data") or [])
        return [sdk_page(page) for page in pages if isinstance(page, dict)]

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **kwargs: Any
    ) -> BlockOutput:
        scrape_options = {
            "formats": [_format_option(value) for value in input_data.formats],
            "onlyMainContent": input_data.only_main_content,
            "maxAge": input_data.max_age,
            "waitFor": input_data.wait_for,
        }
        pages = await self.crawl(
            credentials.api_key.get_secret_value(), input_data.url, input_data.limit, scrape_options
        )
        yield "data", pages
        for page in pages:
            for value in input_data.formats:
                pin, key = FORMAT_OUTPUTS[value]
                if page.get(key) is not None:
                    yield pin, page[key]


class FirecrawlExtractBlock(Block):
    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput = _credentials_field()
        urls: list[str] = SchemaField(
            description="The URLs to crawl - at least one is required. Wildcards are supported. (/*)"
        )
        prompt: str | None = SchemaField(
            description="The prompt to use for the crawl", default=None, advanced=False
        )
        output_schema: dict | None = SchemaField(
            description="A Json Schema describing the output structure if more rigid structure is desired.",
            default=None,
        )
        enable_web_search: bool = SchemaField(
            description="When true, extraction can follow links outside the specified domain.", default=False
        )

    class Output(BlockSchemaOutput):
        data: dict[str, Any] = SchemaField(description="The result of the crawl")

    def __init__(self) -> None:
        super().__init__(
            id="d1774756-4d9e-40e6-bab1-47ec0ccd81b2",
            description="Firecrawl crawls websites to extract comprehensive data while bypassing blockers.",
            categories={BlockCategory.SEARCH},
            input_schema=FirecrawlExtractBlock.Input,
            output_schema=FirecrawlExtractBlock.Output,
            # Upstream ships no vector for this block; this one mocks the extract job.
            test_input={
                "credentials": TEST_CREDENTIALS_INPUT,
                "urls": ["https://example.com/*"],
                "prompt": "Find the support email",
            },
            test_output=[("data", {"email": "help@example.com"})],
            test_mock={"extract": lambda *args, **kwargs: {"email": "help@example.com"}},
            test_credentials=TEST_CREDENTIALS,
            costs=[BlockCost(cost_amount=2)],
        )

    async def extract(self, api_key: str, request: dict[str, Any]) -> Any:
        """Start an extract job, wait for it, and return its data."""
        job = await firecrawl(api_key, "POST", f"{API}/extract", request)
        job_id = job.get("id")
        if not job_id:
            raise ServiceError("Firecrawl did not return an extract id")

        async def finished() -> dict[str, Any] | None:
            status = await firecrawl(api_key, "GET", f"{API}/extract/{job_id}")
            if status.get("status") in _FAILED:
                raise _failure(status, "extract")
            return status if status.get("status") == "completed" else None

        return (await poll(finished, what="Firecrawl extract", interval=POLL_SECONDS)).get("data")

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **kwargs: Any
    ) -> BlockOutput:
        request: dict[str, Any] = {"urls": input_data.urls, "enableWebSearch": input_data.enable_web_search}
        if input_data.prompt is not None:
            request["prompt"] = input_data.prompt
        if input_data.output_schema is not None:
            request["schema"] = input_data.output_schema
        yield "data", await self.extract(credentials.api_key.get_secret_value(), request)


class FirecrawlMapWebsiteBlock(Block):
    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput = _credentials_field()
        url: str = SchemaField(description="The website url to map")

    class Output(BlockSchemaOutput):
        links: list[str] = SchemaField(description="List of URLs found on the website")
        results: list[dict[str, Any]] = SchemaField(
            description="List of search results with url, title, and description"
        )

    def __init__(self) -> None:
        super().__init__(
            id="f0f43e2b-c943-48a0-a7f1-40136ca4d3b9",
            description="Firecrawl maps a website to extract all the links.",
            categories={BlockCategory.SEARCH},
            input_schema=FirecrawlMapWebsiteBlock.Input,
            output_schema=FirecrawlMapWebsiteBlock.Output,
            # Upstream ships no vector for this block; this one mocks the map call.
            test_input={"credentials": TEST_CREDENTIALS_INPUT, "url": "https://example.com"},
            test_output=[
                ("links", ["https://example.com/about"]),
                ("results", [{"url": "https://example.com/about", "title": "About", "description": None}]),
            ],
            test_mock={
                "map_website": lambda *args, **kwargs: [
                    {"url": "https://example.com/about", "title": "About"}
                ]
            },
            test_credentials=TEST_CREDENTIALS,
            costs=[BlockCost(cost_amount=1)],
        )

    async def map_website(self, api_key: str, url: str) -> list[Any]:
        reply = await firecrawl(api_key, "POST", f"{API}/map", {"url": url})
        return list(reply.get("links") or [])

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **kwargs: Any
    ) -> BlockOutput:
        links = await self.map_website(credentials.api_key.get_secret_value(), input_data.url)
        results = [
            {"url": link.get("url"), "title": link.get("title"), "description": link.get("description")}
            if isinstance(link, dict)
            else {"url": link, "title": None, "description": None}
            for link in links
        ]
        yield "links", [result["url"] for result in results]
        yield "results", results
