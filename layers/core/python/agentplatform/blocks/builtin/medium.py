"""Publishing to Medium through its API (https://github.com/Medium/medium-api-docs):
``POST https://api.medium.com/v1/users/{authorId}/posts`` with the user's integration
token as a Bearer token; Medium answers ``{"data": {...}}`` or ``{"errors": [...]}``.
"""

from __future__ import annotations

import enum
from typing import Any
from urllib.parse import quote

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from agentplatform.blocks.credentials import CredentialsField, CredentialsMetaInput
from agentplatform.blocks.service_http import ServiceError, error_message, mock_credentials, request_json
from agentplatform.models.credentials import APIKeyCredentials

API = "https://api.medium.com/v1"
TEST_CREDENTIALS, TEST_CREDENTIALS_INPUT = mock_credentials("medium", "Mock Medium API key")


class PublishToMediumStatus(enum.StrEnum):
    PUBLIC = "public"
    DRAFT = "draft"
    UNLISTED = "unlisted"


class PublishToMediumBlock(Block):
    class Input(BlockSchemaInput):
        author_id: str = SchemaField(
            description=(
                "The Medium AuthorID of the user. You can get this by calling the /me endpoint of the "
                'Medium API.\n\ncurl -H "Authorization: Bearer YOUR_ACCESS_TOKEN" '
                'https://api.medium.com/v1/me" the response will contain the authorId field.'
            ),
            placeholder="Enter the author's Medium AuthorID",
            secret=True,
        )
        title: str = SchemaField(
            description="The title of your Medium post", placeholder="Enter your post title"
        )
        content: str = SchemaField(
            description="The main content of your Medium post", placeholder="Enter your post content"
        )
        content_format: str = SchemaField(
            description="The format of the content: 'html' or 'markdown'", placeholder="html"
        )
        tags: list[str] = SchemaField(
            description="List of tags for your Medium post (up to 5)",
            placeholder="['technology', 'AI', 'blogging']",
        )
        canonical_url: str | None = SchemaField(
            default=None,
            description="The original home of this content, if it was originally published elsewhere",
            placeholder="https://yourblog.com/original-post",
        )
        publish_status: PublishToMediumStatus = SchemaField(
            description="The publish status", placeholder=PublishToMediumStatus.DRAFT.value
        )
        license: str = SchemaField(
            default="all-rights-reserved",
            description=(
                "The license of the post: 'all-rights-reserved', 'cc-40-by', 'cc-40-by-sa', "
                "'cc-40-by-nd', 'cc-40-by-nc', 'cc-40-by-nc-nd', 'cc-40-by-nc-sa', 'cc-40-zero', "
                "'public-domain'"
            ),
            placeholder="all-rights-reserved",
        )
        notify_followers: bool = SchemaField(
            default=False,
            description="Whether to notify followers that the user has published",
            placeholder="False",
        )
        credentials: CredentialsMetaInput = CredentialsField(
            provider="medium",
            supported_types=["api_key"],
            description=(
                "The Medium integration can be used with any API key with sufficient permissions "
                "for the blocks it is used on."
            ),
        )

    class Output(BlockSchemaOutput):
        post_id: str = SchemaField(description="The ID of the created Medium post")
        post_url: str = SchemaField(description="The URL of the created Medium post")
        published_at: int = SchemaField(description="The timestamp when the post was published")
        error: str = SchemaField(description="Error message if the post creation failed")

    def __init__(self) -> None:
        super().__init__(
            id="3f7b2dcb-4a78-4e3f-b0f1-88132e1b89df",
            input_schema=PublishToMediumBlock.Input,
            output_schema=PublishToMediumBlock.Output,
            description="Publishes a post to Medium.",
            categories={BlockCategory.SOCIAL},
            test_input={
                "author_id": "1234567890abcdef",
                "title": "Test Post",
                "content": "<h1>Test Content</h1><p>This is a test post.</p>",
                "content_format": "html",
                "tags": ["test", "automation"],
                "license": "all-rights-reserved",
                "notify_followers": False,
                "publish_status": PublishToMediumStatus.DRAFT.value,
                "credentials": TEST_CREDENTIALS_INPUT,
            },
            test_output=[
                ("post_id", "e6f36a"),
                ("post_url", "https://medium.com/@username/test-post-e6f36a"),
                ("published_at", 1626282600),
            ],
            test_mock={
                "create_post": lambda *args, **kwargs: {
                    "data": {
                        "id": "e6f36a",
                        "url": "https://medium.com/@username/test-post-e6f36a",
                        "authorId": "1234567890abcdef",
                        "publishedAt": 1626282600,
                    }
                }
            },
            test_credentials=TEST_CREDENTIALS,
        )

    async def create_post(
        self,
        api_key: str,
        author_id: str,
        title: str,
        content: str,
        content_format: str,
        tags: list[str],
        canonical_url: str | None,
        publish_status: str,
        license: str,
        notify_followers: bool,
    ) -> dict[str, Any]:
        body = {
            "title": title,
            "content": content,
            "contentFormat": content_format,
            "tags": tags,
            "canonicalUrl": canonical_url,
            "publishStatus": publish_status,
            "license": license,
            "notifyFollowers": notify_followers,
        }
        return await request_json(
            "Medium",
            "POST",
            f"{API}/users/{quote(author_id, safe='')}/posts",
            secrets=[api_key],
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            json=body,
        )

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **kwargs: Any
    ) -> BlockOutput:
        try:
            response = await self.create_post(
                credentials.api_key.get_secret_value(),
                input_data.author_id,
                input_data.title,
                input_data.content,
                input_data.content_format,
                input_data.tags,
                input_data.canonical_url,
                input_data.publish_status.value,
                input_data.license,
                input_data.notify_followers,
            )
        except ServiceError as exc:
            raise ServiceError(f"Failed to create Medium post: {exc}") from None
        post = response.get("data")
        if not isinstance(post, dict):
            raise ServiceError(
                f"Failed to create Medium post: {error_message(response, 'Unknown error occurred')}"
            )
        yield "post_id", post["id"]
        yield "post_url", post["url"]
        yield "published_at", post["publishedAt"]
