"""HTTP request blocks. All traffic goes through the SSRF-safe client."""

from __future__ import annotations

import contextlib
import enum
import json
from typing import Any

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from agentplatform.blocks.credentials import CredentialsField, CredentialsMetaInput
from agentplatform.blocks.media import MediaFileType, load_media
from agentplatform.models.credentials import HostScopedCredentials


class HttpMethod(enum.StrEnum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    DELETE = "DELETE"
    PATCH = "PATCH"
    OPTIONS = "OPTIONS"
    HEAD = "HEAD"


def _parse_response(status: int, content_type: str, text: str, raw: bytes) -> Any:
    if status == 204:
        return None
    if content_type.split(";")[0].strip().lower() == "application/json":
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return text
    return text


class SendWebRequestBlock(Block):
    class Input(BlockSchemaInput):
        url: str = SchemaField(
            description="The URL to send the request to",
            placeholder="https://api.example.com",
        )
        method: HttpMethod = SchemaField(
            description="The HTTP method to use for the request",
            default=HttpMethod.POST,
        )
        headers: dict[str, str] = SchemaField(
            description="The headers to include in the request",
            default_factory=dict,
        )
        json_format: bool = SchemaField(
            title="JSON format",
            description=(
                "If true, send the body as JSON (unless files are also present). "
                "If false, send the body as form data."
            ),
            default=True,
        )
        body: dict | None = SchemaField(
            description=(
                "Form/JSON body payload. If files are supplied, this must be a mapping of form-fields."
            ),
            default=None,
        )
        files_name: str = SchemaField(
            description="The name of the file field in the form data.",
            default="file",
        )
        files: list[MediaFileType] = SchemaField(
            description="Mapping of *form field name* → Image url / path / base64 url.",
            default_factory=list,
        )

    class Output(BlockSchemaOutput):
        response: object = SchemaField(description="The response from the server")
        client_error: object = SchemaField(description="Errors on 4xx status codes")
        server_error: object = SchemaField(description="Errors on 5xx status codes")
        error: str = SchemaField(description="Errors for all other exceptions")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            **{
                "id": "6595ae1f-b924-42cb-9a41-551a0611c4b4",
                "description": "Make an HTTP request (JSON / form / multipart).",
                "categories": {BlockCategory.OUTPUT},
                "input_schema": SendWebRequestBlock.Input,
                "output_schema": SendWebRequestBlock.Output,
                **kwargs,
            }
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        async for pin, value in self._request(input_data, dict(input_data.headers), set(), kwargs):
            yield pin, value

    async def _request(
        self,
        input_data: SendWebRequestBlock.Input,
        headers: dict[str, str],
        sensitive_headers: set[str],
        kwargs: dict[str, Any],
    ) -> BlockOutput:
        from agentplatform.net.safe_http import SafeHttpClient

        if input_data.json_format and input_data.files:
            raise ValueError("json_format=True cannot be combined with file uploads; set json_format=False")
        body: Any = input_data.body
        if isinstance(body, str):
            with contextlib.suppress(ValueError):  # not JSON: sent as-is below
                body = json.loads(body)
        files = await self._files(input_data, kwargs.get("graph_exec_id"))
        send_json = input_data.json_format and not isinstance(body, str)
        async with SafeHttpClient() as client:
            response = await client.request(
                str(input_data.method),
                input_data.url,
                headers=headers,
                json=body if send_json else None,
                data=None if send_json else body,
                files=files or None,
                sensitive_headers=sensitive_headers,
            )
        result = _parse_response(
            response.status_code, response.headers.get("content-type", ""), response.text, response.content
        )
        if 200 <= response.status_code < 300:
            yield "response", result
        elif 400 <= response.status_code < 500:
            yield "client_error", result
        else:
            yield "server_error", result

    @staticmethod
    async def _files(
        input_data: SendWebRequestBlock.Input, graph_exec_id: str | None
    ) -> list[tuple[str, tuple[str, bytes, str]]]:
        files = []
        for reference in input_data.files:
            media = await load_media(reference, graph_exec_id)
            files.append((input_data.files_name, (media.filename, media.data, media.mime_type)))
        return files


class SendAuthenticatedWebRequestBlock(SendWebRequestBlock):
    """Like SendWebRequest, adding a host-scoped credential's headers when the URL matches."""

    class Input(SendWebRequestBlock.Input):
        credentials: CredentialsMetaInput = CredentialsField(
            provider="http",
            supported_types=["host_scoped"],
            description="HTTP host-scoped credentials for automatic header injection",
        )

    def __init__(self) -> None:
        super().__init__(
            id="fff86bcd-e001-4bad-a7f6-2eae4720c8dc",
            description=(
                "Make an authenticated HTTP request with host-scoped credentials (JSON / form / multipart)."
            ),
            input_schema=SendAuthenticatedWebRequestBlock.Input,
        )

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: HostScopedCredentials, **kwargs: Any
    ) -> BlockOutput:
        headers: dict[str, str] = {}
        if credentials.matches_url(input_data.url):
            headers = {name: value.get_secret_value() for name, value in credentials.headers.items()}
        headers.update(input_data.headers)  # the node's own headers win
        async for pin, value in self._request(input_data, headers, set(credentials.headers), kwargs):
            yield pin, value
