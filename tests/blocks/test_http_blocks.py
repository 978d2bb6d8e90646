"""SendWebRequestBlock and SendAuthenticatedWebRequestBlock against a loopback server."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr

from agentplatform.blocks import BlockExecutionError
from agentplatform.blocks.builtin.http import SendAuthenticatedWebRequestBlock, SendWebRequestBlock
from agentplatform.blocks.testing import execution_kwargs
from agentplatform.config import get_settings
from agentplatform.models.credentials import HostScopedCredentials
from tests.support.http_server import echo_route, json_route, loopback_server, text_route


@pytest.fixture
def server(monkeypatch):
    routes = {
        "/json": json_route(200, {"ok": True}),
        "/text": text_route(200, "plain"),
        "/missing": json_route(404, {"detail": "nope"}),
        "/boom": text_route(503, "down"),
        "/echo": echo_route(),
        "/empty": lambda _req: (204, {"Content-Type": "application/json"}, b""),
    }
    with loopback_server(routes) as srv:
        monkeypatch.setenv("TRUST_ENDPOINTS_FOR_REQUESTS", f"127.0.0.1:{srv.port}")
        get_settings.cache_clear()
        yield srv
    get_settings.cache_clear()


def run(block, data, **extra):
    async def go():
        return [pair async for pair in block.execute(data, **{**execution_kwargs(block), **extra})]

    return asyncio.run(go())


def test_get_json_response(server):
    assert run(SendWebRequestBlock(), {"url": f"{server.base_url}/json", "method": "GET"}) == [
        ("response", {"ok": True})
    ]


def test_text_response_is_returned_as_text(server):
    assert run(SendWebRequestBlock(), {"url": f"{server.base_url}/text", "method": "GET"}) == [
        ("response", "plain")
    ]


def test_no_content_is_none(server):
    assert run(SendWebRequestBlock(), {"url": f"{server.base_url}/empty", "method": "DELETE"}) == [
        ("response", None)
    ]


def test_4xx_goes_to_client_error_and_5xx_to_server_error(server):
    block = SendWebRequestBlock()
    assert run(block, {"url": f"{server.base_url}/missing", "method": "GET"}) == [
        ("client_error", {"detail": "nope"})
    ]
    assert run(block, {"url": f"{server.base_url}/boom", "method": "GET"}) == [("server_error", "down")]


def test_post_sends_json_body_by_default(server):
    [(pin, echoed)] = run(SendWebRequestBlock(), {"url": f"{server.base_url}/echo", "body": {"a": 1}})
    assert pin == "response"
    assert echoed["method"] == "POST"
    assert echoed["headers"]["content-type"] == "application/json"
    assert echoed["body"] == '{"a":1}'


def test_form_body_when_json_format_is_off(server):
    [(_, echoed)] = run(
        SendWebRequestBlock(),
        {
            "url": f"{server.base_url}/echo",
            "method": "PUT",
            "json_format": False,
            "body": {"a": "1", "b": "x y"},
        },
    )
    assert echoed["method"] == "PUT"
    assert echoed["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert echoed["body"] == "a=1&b=x+y"


def test_files_upload_as_multipart(server):
    [(_, echoed)] = run(
        SendWebRequestBlock(),
        {
            "url": f"{server.base_url}/echo",
            "json_format": False,
            "files_name": "upload",
            "files": ["data:text/plain;base64,SGVsbG8="],
            "body": {"note": "n"},
        },
    )
    assert echoed["headers"]["content-type"].startswith("multipart/form-data")
    assert 'name="upload"' in echoed["body"]
    assert "Hello" in echoed["body"]
    assert 'name="note"' in echoed["body"]


def test_files_with_json_format_fail(server):
    with pytest.raises(BlockExecutionError, match="json_format=True cannot be combined with file uploads"):
        run(
            SendWebRequestBlock(),
            {"url": f"{server.base_url}/echo", "files": ["data:text/plain;base64,SGVsbG8="]},
        )


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/"]
)
def test_private_targets_fail_the_block(url):
    with pytest.raises(BlockExecutionError, match="blocked or private IP address"):
        run(SendWebRequestBlock(), {"url": url, "method": "GET"})


def test_unknown_method_is_an_input_error():
    from agentplatform.blocks import BlockInputError

    with pytest.raises(BlockInputError):
        run(SendWebRequestBlock(), {"url": "http://example.com", "method": "TRACE"})


def _credentials(host: str) -> HostScopedCredentials:
    return HostScopedCredentials(
        provider="http",
        host=host,
        headers={"Authorization": SecretStr("Bearer host-token"), "X-Api-Key": SecretStr("key-1")},
        title="test",
    )


def _meta(creds: HostScopedCredentials) -> dict:
    return {"id": creds.id, "provider": "http", "type": "host_scoped", "title": creds.title}


def test_authenticated_request_injects_matching_host_headers(server):
    creds = _credentials("127.0.0.1")
    [(_, echoed)] = run(
        SendAuthenticatedWebRequestBlock(),
        {
            "url": f"{server.base_url}/echo",
            "method": "GET",
            "headers": {"X-Api-Key": "node-wins"},
            "credentials": _meta(creds),
        },
        credentials=creds,
    )
    assert echoed["headers"]["authorization"] == "Bearer host-token"
    assert echoed["headers"]["x-api-key"] == "node-wins"


def test_authenticated_request_skips_headers_for_other_hosts(server):
    creds = _credentials("*.example.com")
    [(_, echoed)] = run(
        SendAuthenticatedWebRequestBlock(),
        {"url": f"{server.base_url}/echo", "method": "GET", "credentials": _meta(creds)},
        credentials=creds,
    )
    assert "authorization" not in echoed["headers"]
    assert "x-api-key" not in echoed["headers"]


def test_authenticated_block_schema_declares_http_host_scoped_credentials():
    schema = SendAuthenticatedWebRequestBlock().input_schema.jsonschema()
    field = schema["properties"]["credentials"]
    assert field["credentials_provider"] == ["http"]
    assert field["credentials_types"] == ["host_scoped"]
    assert "credentials" in schema["required"]
