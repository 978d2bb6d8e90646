"""API keys and external-API clients for tests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tests.support.api import ApiGatewayClient

ALL_PERMISSIONS = (
    "IDENTITY",
    "EXECUTE_GRAPH",
    "READ_GRAPH",
    "EXECUTE_BLOCK",
    "READ_BLOCK",
    "READ_STORE",
    "USE_TOOLS",
    "MANAGE_INTEGRATIONS",
    "READ_INTEGRATIONS",
    "DELETE_INTEGRATIONS",
)

# APIKeyInfo's fields in upstream's order.
API_KEY_INFO_KEYS = [
    "user_id",
    "scopes",
    "type",
    "created_at",
    "expires_at",
    "last_used_at",
    "revoked_at",
    "id",
    "name",
    "head",
    "tail",
    "status",
    "description",
]


def create_api_key(
    api: ApiGatewayClient, permissions: Iterable[str] = ALL_PERMISSIONS, name: str = "test key"
) -> tuple[str, dict[str, Any]]:
    """A new key of ``api``'s user: (plain key, APIKeyInfo)."""
    response = api.post("/api/api-keys", json_body={"name": name, "permissions": list(permissions)})
    assert response.status_code == 200, response.content
    body = response.json()
    return body["plain_text_key"], body["api_key"]


def key_client(key: str) -> ApiGatewayClient:
    return ApiGatewayClient(headers={"X-API-Key": key})


def bearer_client(access_token: str) -> ApiGatewayClient:
    return ApiGatewayClient(token=access_token)


class FakeClock:
    """A clock tests move by hand (for caches and rate-limit windows)."""

    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
