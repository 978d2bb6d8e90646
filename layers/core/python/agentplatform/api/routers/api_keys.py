"""``/api/api-keys``: the caller's API keys (spec §1.3 rows 48-53, §1.5 "API keys").

Another user's key id answers 404 (upstream answers 403): keys live in their owner's
partition, so a foreign id addresses nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from agentplatform.api.deps import UserId
from agentplatform.api_keys.service import ApiKeyService
from agentplatform.models.api_keys import (
    APIKeyInfo,
    CreateAPIKeyRequest,
    CreateAPIKeyResponse,
    UpdatePermissionsRequest,
)

router = APIRouter(prefix="/api/api-keys", tags=["v1", "api-keys"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such key among the caller's"}}


def api_key_service() -> ApiKeyService:
    return ApiKeyService()


Service = Annotated[ApiKeyService, Depends(api_key_service)]


@router.post("", summary="Create new API key")
def create_api_key(user_id: UserId, service: Service, request: CreateAPIKeyRequest) -> CreateAPIKeyResponse:
    return service.create(user_id, request.name, request.permissions, request.description)


@router.get("", summary="List user API keys")
def get_api_keys(user_id: UserId, service: Service) -> list[APIKeyInfo]:
    return service.list_keys(user_id)


@router.get("/{key_id}", summary="Get specific API key", responses=_NOT_FOUND)
def get_api_key(user_id: UserId, service: Service, key_id: str) -> APIKeyInfo:
    return service.get(user_id, key_id)


@router.delete("/{key_id}", summary="Revoke API key", responses=_NOT_FOUND)
def delete_api_key(user_id: UserId, service: Service, key_id: str) -> APIKeyInfo:
    return service.revoke(user_id, key_id)


@router.post("/{key_id}/suspend", summary="Suspend API key", responses=_NOT_FOUND)
def suspend_key(user_id: UserId, service: Service, key_id: str) -> APIKeyInfo:
    return service.suspend(user_id, key_id)


@router.put("/{key_id}/permissions", summary="Update key permissions", responses=_NOT_FOUND)
def update_permissions(
    user_id: UserId, service: Service, key_id: str, request: UpdatePermissionsRequest
) -> APIKeyInfo:
    return service.update_permissions(user_id, key_id, request.permissions)
