"""Publishing to WordPress.com and Jetpack sites through the WordPress.com REST API
(https://developer.wordpress.com/docs/api/).

``POST https://public-api.wordpress.com/rest/v1.1/sites/{site}/posts/new`` with a
form-encoded body, authorised by the user's WordPress.com OAuth2 token (as upstream,
whose only credential type for ``wordpress`` is OAuth2: the token comes from the
integrations OAuth flow).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pydantic import SecretStr

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
from agentplatform.blocks.service_http import (
    MOCK_CREDENTIALS_ID,
    ServiceError,
    credentials_input,
    request_json,
)
from agentplatform.models.credentials import OAuth2Credentials

API = "https://public-api.wordpress.com/rest/v1.1"

TEST_CREDENTIALS = OAuth2Credentials(
    id=MOCK_CREDENTIALS_ID,
    provider="wordpress",
    access_token=SecretStr("mock-wordpress-access-token"),
    scopes=["posts"],
    title="Mock WordPress account",
)
TEST_CREDENTIALS_INPUT = credentials_input(TEST_CREDENTIALS)
TEST_POST = {
    "ID": 42,
    "URL": "https://myblog.wordpress.com/2025/01/01/hello-world/",
    "short_URL": "https://wp.me/p1-2A",
    "title": "Hello world",
    "status": "publish",
}


def post_form(input_data: WordPressCreatePostBlock.Input) -> dict[str, Any]:
    """The ``posts/new`` form upstream sends: the post, published, with its defaults."""
    form: dict[str, Any] = {
        "title": input_data.title,
        "content": input_data.content,
        "excerpt": input_data.excerpt,
        "slug": input_data.slug,
        "author": input_data.author,
        "status": "publish",
        "sticky": False,
        "type": "post",
        "categories": ",".join(input_data.categories),
        "tags": ",".join(input_data.tags),
        "featured_image": input_data.featured_image,
        "media_urls[]": input_data.media_urls,
        "publicize": True,
        "sharing_enabled": True,
    }
    return {key: value for key, value in form.items() if value is not None and value != []}


class WordPressCreatePostBlock(Block):
    """Creates a new post on a WordPress.com site or Jetpack-enabled site and publishes it."""

    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput = CredentialsField(
            provider="wordpress", supported_types=["oauth2"], description="Wordpress credentials"
        )
        site: str = SchemaField(description="Site ID or domain (e.g., 'myblog.wordpress.com' or '123456789')")
        title: str = SchemaField(description="The post title")
        content: str = SchemaField(description="The post content (HTML supported)")
        excerpt: str | None = SchemaField(description="An optional post excerpt/summary", default=None)
        slug: str | None = SchemaField(
            description="The URL slug for the post (auto-generated if not provided)", default=None
        )
        author: str | None = SchemaField(
            description="Username or ID of the author (defaults to authenticated user)", default=None
        )
        categories: list[str] = SchemaField(description="List of category names or IDs", default_factory=list)
        tags: list[str] = SchemaField(description="List of tag names or IDs", default_factory=list)
        featured_image: str | None = SchemaField(
            description="Post ID of an existing attachment to set as featured image", default=None
        )
        media_urls: list[str] = SchemaField(
            description="URLs of images to sideload and attach to the post", default_factory=list
        )

    class Output(BlockSchemaOutput):
        post_id: int = SchemaField(description="The ID of the created post")
        post_url: str = SchemaField(description="The full URL of the created post")
        short_url: str = SchemaField(description="The shortened wp.me URL")
        post_data: dict = SchemaField(description="Complete post data returned by API")

    def __init__(self) -> None:
        super().__init__(
            id="ee4fe08c-18f9-442f-a985-235379b932e1",
            description="Create a new post on WordPress.com or Jetpack sites",
            categories={BlockCategory.SOCIAL},
            input_schema=WordPressCreatePostBlock.Input,
            output_schema=WordPressCreatePostBlock.Output,
            # Upstream ships no vector for this block; this one mocks the API call.
            test_input={
                "credentials": TEST_CREDENTIALS_INPUT,
                "site": "myblog.wordpress.com",
                "title": "Hello world",
                "content": "<p>First post</p>",
            },
            test_output=[
                ("post_id", 42),
                ("post_url", TEST_POST["URL"]),
                ("short_url", TEST_POST["short_URL"]),
                ("post_data", TEST_POST),
            ],
            test_mock={"create_post": lambda *args, **kwargs: TEST_POST},
            test_credentials=TEST_CREDENTIALS,
            costs=[BlockCost(cost_amount=1)],
        )

    async def create_post(
        self, credentials: OAuth2Credentials, site: str, form: dict[str, Any]
    ) -> dict[str, Any]:
        token = credentials.access_token.get_secret_value()
        return await request_json(
            "WordPress",
            "POST",
            f"{API}/sites/{quote(site, safe='')}/posts/new",
            secrets=[token],
            headers={"Authorization": credentials.auth_header()},
            data=form,
        )

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: OAuth2Credentials, **kwargs: Any
    ) -> BlockOutput:
        post = await self.create_post(credentials, input_data.site, post_form(input_data))
        if not {"ID", "URL", "short_URL"} <= post.keys():
            raise ServiceError("WordPress did not return the created post")
        yield "post_id", post["ID"]
        yield "post_url", post["URL"]
        yield "short_url", post["short_URL"]
        yield "post_data", post
