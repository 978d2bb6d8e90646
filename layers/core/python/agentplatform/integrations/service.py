"""Credentials use cases behind ``/api/integrations``: nothing here returns a secret."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from agentplatform.errors import NotFoundError
from agentplatform.integrations.providers import is_valid_provider
from agentplatform.models.credentials import (
    Credentials,
    CredentialsDetail,
    CredentialsMetaResponse,
    OAuth2Credentials,
)
from agentplatform.models.ids import new_id
from agentplatform.store.credentials import CredentialsRepository, not_found

_credentials_adapter: TypeAdapter[Any] = TypeAdapter(Credentials)


def _check_provider(provider: str) -> None:
    if not is_valid_provider(provider):
        raise ValueError(f"Invalid provider name {provider!r}")


def _meta(public: dict[str, Any]) -> CredentialsMetaResponse:
    return CredentialsMetaResponse.model_validate(public)


class CredentialsService:
    def __init__(self, repo: CredentialsRepository | None = None):
        self.repo = repo or CredentialsRepository()

    def create(self, user_id: str, provider: str, body: dict[str, Any]) -> CredentialsDetail:
        """Store new credentials for ``provider``; the path names the provider and the
        server picks the id, whatever the body says."""
        _check_provider(provider)
        creds = _credentials_adapter.validate_python({**body, "provider": provider, "id": new_id()})
        self.repo.create(user_id, creds)
        return CredentialsDetail.model_validate(self.repo.get_public(user_id, creds.id))

    def list(self, user_id: str, provider: str | None = None) -> list[CredentialsMetaResponse]:
        entries = self.repo.list_public(user_id)
        return [_meta(e) for e in entries if provider is None or e["provider"] == provider]

    def get(self, user_id: str, provider: str, credentials_id: str) -> CredentialsDetail:
        public = self.repo.get_public(user_id, credentials_id)
        if public["provider"] != provider:
            raise NotFoundError("Credentials do not match the specified provider")
        return CredentialsDetail.model_validate(public)

    async def delete(self, user_id: str, provider: str, credentials_id: str) -> bool | None:
        """Delete; OAuth2 tokens are then revoked at the provider. Returns whether they
        were (None for credentials that cannot be revoked, such as API keys)."""
        public = self.repo.get_public(user_id, credentials_id)
        if public["provider"] != provider:
            raise NotFoundError("Credentials do not match the specified provider")
        creds = self.repo.get(user_id, credentials_id) if public["type"] == "oauth2" else None
        self.repo.delete(user_id, credentials_id)
        if not isinstance(creds, OAuth2Credentials):
            return None
        from agentplatform.integrations.oauth.revoke import revoke

        return await revoke(creds)

    def resolve(self, user_id: str, credentials_id: str) -> Credentials | None:
        """The decrypted credential, or None when the user has no such credential."""
        try:
            return self.repo.get(user_id, credentials_id)
        except NotFoundError:
            return None


__all__ = ["CredentialsService", "not_found"]
