"""Integration credentials (AutoGPT's model): what nodes reference and what is stored.

Nodes and execute requests only ever carry a ``CredentialsMetaInput`` (an id and a
provider); the secret-bearing ``Credentials`` objects exist only inside the
credentials store and the block that is running.
"""

from __future__ import annotations

import fnmatch
from typing import Annotated, Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, Field, SecretStr, field_serializer, field_validator

from agentplatform.models.ids import new_id

CredentialsType = Literal["api_key", "oauth2", "user_password", "host_scoped"]
CREDENTIALS_TYPES: tuple[str, ...] = ("api_key", "oauth2", "user_password", "host_scoped")


class CredentialsMetaInput(BaseModel):
    """A reference to stored credentials, as a node input or execute-request entry."""

    id: str
    title: str | None = None
    provider: str
    type: CredentialsType


def credentials_inputs(metas: dict[str, CredentialsMetaInput]) -> dict[str, Any]:
    """Credentials references as stored with a preset or schedule and given to a run."""
    return {key: meta.model_dump(exclude_none=True) for key, meta in metas.items()}


class _BaseCredentials(BaseModel):
    id: str = Field(default_factory=new_id)
    provider: str
    title: str | None = None

    @field_serializer("*", when_used="json")
    def _reveal(self, value: Any) -> Any:
        # Stored form only; API listings use CredentialsMetaResponse and never this.
        if isinstance(value, SecretStr):
            return value.get_secret_value()
        if isinstance(value, dict):
            return {k: v.get_secret_value() if isinstance(v, SecretStr) else v for k, v in value.items()}
        return value


class APIKeyCredentials(_BaseCredentials):
    type: Literal["api_key"] = "api_key"
    api_key: SecretStr
    expires_at: int | None = None
    # Beyond upstream: an OpenAI-compatible server (Groq, Ollama, ...) for this key.
    base_url: str | None = None

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError("base_url must be an http(s) URL")
        return value.rstrip("/")

    def auth_header(self) -> str:
        if self.provider == "linear":
            return self.api_key.get_secret_value()
        return f"Bearer {self.api_key.get_secret_value()}"


class OAuth2Credentials(_BaseCredentials):
    type: Literal["oauth2"] = "oauth2"
    username: str | None = None
    access_token: SecretStr
    access_token_expires_at: int | None = None
    refresh_token: SecretStr | None = None
    refresh_token_expires_at: int | None = None
    scopes: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    def auth_header(self) -> str:
        return f"Bearer {self.access_token.get_secret_value()}"


class UserPasswordCredentials(_BaseCredentials):
    type: Literal["user_password"] = "user_password"
    username: SecretStr
    password: SecretStr


class HostScopedCredentials(_BaseCredentials):
    type: Literal["host_scoped"] = "host_scoped"
    host: str
    headers: dict[str, SecretStr] = Field(default_factory=dict)

    def matches_url(self, url: str) -> bool:
        """Exact host, or a ``*.domain`` wildcard, as upstream."""
        hostname = (urlparse(url).hostname or "").lower()
        pattern = self.host.lower()
        if pattern.startswith("*."):
            return hostname.endswith(pattern[1:]) or fnmatch.fnmatch(hostname, pattern)
        return hostname == pattern


Credentials = Annotated[
    APIKeyCredentials | OAuth2Credentials | UserPasswordCredentials | HostScopedCredentials,
    Field(discriminator="type"),
]


class OAuthState(BaseModel):
    """A pending OAuth login (upstream's ``OAuthState``): single use, expiring, one user's.

    ``callback_url``/``state_metadata``/``initiated_by_api_key_id`` are set by external-API
    flows, whose redirect goes to the calling app rather than the frontend.
    """

    provider: str
    expires_at: int
    code_verifier: str
    scopes: list[str] = Field(default_factory=list)
    callback_url: str | None = None
    state_metadata: dict[str, Any] = Field(default_factory=dict)
    initiated_by_api_key_id: str | None = None


class CredentialsMetaResponse(BaseModel):
    """What listings return: never a secret."""

    id: str
    provider: str
    type: CredentialsType
    title: str | None = None
    scopes: list[str] | None = None
    username: str | None = None
    host: str | None = None


class CredentialsDetail(CredentialsMetaResponse):
    """Create/get responses. Upstream returns the secret here; we never do."""

    expires_at: int | None = None
    base_url: str | None = None


def public_fields(creds: Credentials) -> dict[str, Any]:
    """The non-secret attributes of ``creds``, safe to store in clear and to return."""
    fields: dict[str, Any] = {
        "id": creds.id,
        "provider": creds.provider,
        "type": creds.type,
        "title": creds.title,
    }
    if isinstance(creds, APIKeyCredentials):
        fields.update(expires_at=creds.expires_at, base_url=creds.base_url)
    elif isinstance(creds, OAuth2Credentials):
        fields.update(
            username=creds.username, scopes=list(creds.scopes), expires_at=creds.access_token_expires_at
        )
    elif isinstance(creds, HostScopedCredentials):
        fields.update(host=creds.host)
    return {k: v for k, v in fields.items() if v is not None}
