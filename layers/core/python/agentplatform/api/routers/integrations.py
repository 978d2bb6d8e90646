"""``/api/integrations``: providers, and the user's stored credentials.

Unlike upstream, no response ever carries a secret, not even ``GET`` of one credential
(upstream returns the API key there): create and get answer ``CredentialsDetail``,
listings ``CredentialsMetaResponse``. No OAuth app is configured, so the OAuth routes
answer 501 as upstream does for an unconfigured provider (here in the error envelope).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel

from agentplatform.api.deps import UserId
from agentplatform.api.errors import NOT_CONFIGURED_RESPONSE
from agentplatform.errors import NotConfiguredError
from agentplatform.integrations.providers import PROVIDER_NAMES, constant_name
from agentplatform.integrations.service import CredentialsService
from agentplatform.models.credentials import CredentialsDetail, CredentialsMetaResponse

router = APIRouter(prefix="/api/integrations", tags=["v1", "integrations"])


def credentials_service() -> CredentialsService:
    return CredentialsService()


Service = Annotated[CredentialsService, Depends(credentials_service)]


class LoginResponse(BaseModel):
    login_url: str
    state_token: str


class OAuthCallback(BaseModel):
    code: str
    state_token: str


class CredentialsDeletionResponse(BaseModel):
    deleted: bool = True
    revoked: bool | None = None


class ProviderNamesResponse(BaseModel):
    providers: list[str]


def _oauth_not_configured(provider: str) -> NotConfiguredError:
    return NotConfiguredError(f"Integration with provider '{provider}' is not configured.")


@router.get("/providers", summary="Get a list of all available provider names.")
def list_providers() -> list[str]:
    return list(PROVIDER_NAMES)


@router.get("/providers/system", summary="Get a list of providers that have platform credits")
def list_system_providers() -> list[str]:
    return []  # no platform-managed (system) credentials are configured


@router.get("/providers/names", summary="Get all provider names in a structured format.")
def get_provider_names() -> ProviderNamesResponse:
    return ProviderNamesResponse(providers=list(PROVIDER_NAMES))


@router.get("/providers/constants", summary="Get provider names as constants.")
def get_provider_constants() -> dict[str, dict[str, str]]:
    return {"PROVIDER_NAMES": {constant_name(name): name for name in PROVIDER_NAMES}}


@router.get("/providers/enum-example", summary="Example endpoint that uses the CompleteProviderNames enum.")
def get_provider_enum_example() -> dict[str, str]:
    return {"provider": PROVIDER_NAMES[0]}


@router.get("/{provider}/login", summary="Initiate OAuth flow", responses=NOT_CONFIGURED_RESPONSE)
def login(user_id: UserId, provider: str, scopes: str = "") -> LoginResponse:
    raise _oauth_not_configured(provider)


@router.post(
    "/{provider}/callback", summary="Exchange OAuth code for tokens", responses=NOT_CONFIGURED_RESPONSE
)
def callback(user_id: UserId, provider: str, body: OAuthCallback) -> CredentialsMetaResponse:
    raise _oauth_not_configured(provider)


@router.get("/credentials", summary="List Credentials")
def list_credentials(user_id: UserId, service: Service) -> list[CredentialsMetaResponse]:
    return service.list(user_id)


@router.get("/{provider}/credentials", summary="List credentials by provider")
def list_credentials_by_provider(
    user_id: UserId, service: Service, provider: str
) -> list[CredentialsMetaResponse]:
    return service.list(user_id, provider)


@router.get("/{provider}/credentials/{cred_id}", summary="Get Specific Credential By ID")
def get_credential(user_id: UserId, service: Service, provider: str, cred_id: str) -> CredentialsDetail:
    return service.get(user_id, provider, cred_id)


@router.post("/{provider}/credentials", status_code=201, summary="Create Credentials")
def create_credentials(
    user_id: UserId, service: Service, provider: str, body: Annotated[dict[str, Any], Body()]
) -> CredentialsDetail:
    return service.create(user_id, provider, body)


@router.delete("/{provider}/credentials/{cred_id}", summary="Delete credentials")
def delete_credentials(
    user_id: UserId, service: Service, provider: str, cred_id: str, force: Annotated[bool, Query()] = False
) -> CredentialsDeletionResponse:
    # No presets reference credentials yet, so nothing ever needs confirmation; no
    # OAuth tokens exist to revoke.
    service.delete(user_id, provider, cred_id)
    return CredentialsDeletionResponse(deleted=True, revoked=None)
