"""The local cloud serves ``/external-api/v1`` like the deployed API: an API key created
over HTTP authenticates the external API over HTTP."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.e2e


def test_api_key_calls_the_external_api_over_http(dev_server, token):
    base = dev_server.base_url
    created = httpx.post(
        f"{base}/api/api-keys",
        json={"name": "e2e", "permissions": ["IDENTITY"]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert created.status_code == 200, created.text
    key = created.json()["plain_text_key"]

    me = httpx.get(f"{base}/external-api/v1/me", headers={"X-API-Key": key}, timeout=30)
    assert me.status_code == 200, me.text
    assert me.json()["id"] == created.json()["api_key"]["user_id"]
    assert httpx.get(f"{base}/external-api/v1/me", timeout=30).status_code == 401
    paths = httpx.get(f"{base}/openapi.json", timeout=30).json()["paths"]
    assert {"/external-api/v1/me", "/api/api-keys", "/api/oauth/token"} <= set(paths)
