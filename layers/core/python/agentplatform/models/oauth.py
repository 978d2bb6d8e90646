"""The platform's OAuth 2.0 provider (``/api/oauth``): applications, requests and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from agentplatform.models.api_keys import APIKeyPermission


class OAuthApplicationInfo(BaseModel):
    """An OAuth application as its owner sees it (never with its client secret)."""

    id: str
    name: str
    description: str | None = None
    logo_url: str | None = None
    client_id: str
    redirect_uris: list[str]
    grant_types: list[str]
    scopes: list[APIKeyPermission]
    owner_id: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


class OAuthApplicationPublicInfo(BaseModel):
    """What the consent screen shows about an application."""

    name: str
    description: str | None = None
    logo_url: str | None = None
    scopes: list[str]
    redirect_uris: list[str]


class RegisteredApplication(BaseModel):
    """A newly registered application and its client secret (shown this once)."""

    application: OAuthApplicationInfo
    client_secret: str


class AuthorizeRequest(BaseModel):
    client_id: str = Field(description="Client identifier")
    redirect_uri: str = Field(description="Redirect URI")
    scopes: list[str] = Field(description="List of scopes")
    state: str = Field(description="Anti-CSRF token from client")
    response_type: str = Field(default="code", description="Must be 'code' for authorization code flow")
    code_challenge: str = Field(description="PKCE code challenge (required)")
    code_challenge_method: str = Field(default="S256", description="PKCE code challenge method: S256")


class AuthorizeResponse(BaseModel):
    redirect_url: str = Field(description="URL to redirect the user to")


class TokenRequestByCode(BaseModel):
    grant_type: Literal["authorization_code"]
    code: str = Field(description="Authorization code")
    redirect_uri: str = Field(description="Redirect URI (must match authorization request)")
    client_id: str
    client_secret: str
    code_verifier: str = Field(description="PKCE code verifier")


class TokenRequestByRefreshToken(BaseModel):
    grant_type: Literal["refresh_token"]
    refresh_token: str
    client_id: str
    client_secret: str


class TokenResponse(BaseModel):
    token_type: Literal["Bearer"] = "Bearer"
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    refresh_token_expires_at: datetime
    scopes: list[str]


TokenTypeHint = Literal["access_token", "refresh_token"]


class TokenIntrospectionResult(BaseModel):
    """RFC 7662's answer, in upstream's field names."""

    active: bool
    scopes: list[str] | None = None
    client_id: str | None = None
    user_id: str | None = None
    exp: int | None = None
    token_type: TokenTypeHint | None = None


class RevocationResponse(BaseModel):
    status: Literal["ok"] = "ok"


class UpdateAppStatusRequest(BaseModel):
    is_active: bool = Field(description="Whether the app should be active")


class UpdateAppLogoRequest(BaseModel):
    logo_url: str = Field(description="URL of the uploaded logo image", pattern=r"^https?://\S+$")
