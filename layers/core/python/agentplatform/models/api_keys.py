"""API keys and the callers of the external API (spec §1.1, §1.5 "API keys")."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class APIKeyPermission(enum.StrEnum):
    """The scopes of an API key or an OAuth grant (upstream's ``APIKeyPermission``)."""

    IDENTITY = "IDENTITY"
    EXECUTE_GRAPH = "EXECUTE_GRAPH"
    READ_GRAPH = "READ_GRAPH"
    EXECUTE_BLOCK = "EXECUTE_BLOCK"
    READ_BLOCK = "READ_BLOCK"
    READ_STORE = "READ_STORE"
    USE_TOOLS = "USE_TOOLS"
    MANAGE_INTEGRATIONS = "MANAGE_INTEGRATIONS"
    READ_INTEGRATIONS = "READ_INTEGRATIONS"
    DELETE_INTEGRATIONS = "DELETE_INTEGRATIONS"


class APIKeyStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    REVOKED = "REVOKED"
    SUSPENDED = "SUSPENDED"


class APIAuthorizationInfo(BaseModel):
    """Who calls the external API, and with which scopes (an API key or an OAuth token)."""

    user_id: str
    scopes: list[APIKeyPermission]
    type: Literal["oauth", "api_key"]
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class APIKeyInfo(APIAuthorizationInfo):
    id: str
    name: str
    head: str = Field(description="The first 8 characters of the key")
    tail: str = Field(description="The last 8 characters of the key")
    status: APIKeyStatus
    description: str | None = None
    type: Literal["api_key"] = "api_key"


class OAuthAccessTokenInfo(APIAuthorizationInfo):
    id: str
    expires_at: datetime
    application_id: str
    type: Literal["oauth"] = "oauth"


class CreateAPIKeyRequest(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    permissions: list[APIKeyPermission]
    description: str | None = Field(default=None, max_length=2000)


class CreateAPIKeyResponse(BaseModel):
    api_key: APIKeyInfo
    plain_text_key: str


class UpdatePermissionsRequest(BaseModel):
    permissions: list[APIKeyPermission]
