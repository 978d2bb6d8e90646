"""API key use cases behind ``/api/api-keys``: the plain key is returned once, at creation."""

from __future__ import annotations

import uuid

from agentplatform.auth.keysmith import generate_key
from agentplatform.models.api_keys import (
    APIKeyInfo,
    APIKeyPermission,
    APIKeyStatus,
    CreateAPIKeyResponse,
)
from agentplatform.store.api_keys import ApiKeyRepository


class ApiKeyService:
    def __init__(self, repo: ApiKeyRepository | None = None):
        self.repo = repo or ApiKeyRepository()

    def create(
        self, user_id: str, name: str, permissions: list[APIKeyPermission], description: str | None = None
    ) -> CreateAPIKeyResponse:
        new_key = generate_key()
        info = self.repo.create(user_id, str(uuid.uuid4()), new_key.stored, name, permissions, description)
        return CreateAPIKeyResponse(api_key=info, plain_text_key=new_key.key)

    def list_keys(self, user_id: str) -> list[APIKeyInfo]:
        return self.repo.list_of(user_id)

    def get(self, user_id: str, key_id: str) -> APIKeyInfo:
        return self.repo.get(user_id, key_id)

    def revoke(self, user_id: str, key_id: str) -> APIKeyInfo:
        return self.repo.set_status(user_id, key_id, APIKeyStatus.REVOKED)

    def suspend(self, user_id: str, key_id: str) -> APIKeyInfo:
        return self.repo.set_status(user_id, key_id, APIKeyStatus.SUSPENDED)

    def update_permissions(
        self, user_id: str, key_id: str, permissions: list[APIKeyPermission]
    ) -> APIKeyInfo:
        return self.repo.set_permissions(user_id, key_id, permissions)
