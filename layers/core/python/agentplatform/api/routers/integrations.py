"""``/api/integrations``: providers, and the user's stored credentials.

Unlike upstream, no response ever carries a secret, not even ``GET`` of one credential
(upstream returns the API key there): create and get answer ``CredentialsDetail``,
listings ``CredentialsMetaResponse``. ``/{provider}/login`` and ``/{provider}/callback``
run the OAuth authorization-code flow (``integrations/oauth/flow.py``); a provider
without OAuth answers 404 and one whose app is not configured 501, as upstream.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel

from agentplatform.api.deps import UserId
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


_OAUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "The provider does not support OAuth"},
    501: {"description": "The provider's OAuth app is not configured on this platform"},
}


@router.get("/providers", summary="Get a list of all available provider names.")
def list_providers() -> list[str]:
    return list(PROVIDER_NAMES)


@router.get("/providers/system", summary="Get a list of providers that have platform credits")
def list_system_providers() -> list[str]:
    from agentplatform.integrations.system import configured_system_providers

    return configured_system_providers()


@router.get("/providers/names", summary="Get all provider names in a structured format.")
def get_provider_names() -> ProviderNamesResponse:
    return ProviderNamesResponse(providers=list(PROVIDER_NAMES))


@router.get("/providers/constants", summary="Get provider names as constants.")
def get_provider_constants() -> dict[str, dict[str, str]]:
    return {"PROVIDER_NAMES": {constant_name(name): name for name in PROVIDER_NAMES}}


@router.get("/providers/enum-example", summary="Example endpoint that uses the CompleteProviderNames enum.")
def get_provider_enum_example() -> dict[str, str]:
    return {"provider": PROVIDER_NAMES[0]}


@router.get("/{provider}/login", summary="Initiate OAuth flow", responses=_OAUTH_ERRORS)
def login(
    user_id: UserId,
    provider: str,
    scopes: Annotated[str, Query(title="Comma-separated list of authorization scopes")] = "",
) -> LoginResponse:
    from agentplatform.integrations.oauth.flow import start_oauth

    requested = [scope.strip() for scope in scopes.split(",") if scope.strip()]
    started = start_oauth(user_id, provider, requested)
    return LoginResponse(login_url=started.login_url, state_token=started.state_token)


@router.post(
    "/{provider}/callback",
    summary="Exchange OAuth code for tokens",
    responses={**_OAUTH_ERRORS, 400: {"description": "Invalid or expired state token, or a refused code"}},
)
async def callback(user_id: UserId, provider: str, body: OAuthCallback) -> CredentialsMetaResponse:
    from agentplatform.integrations.oauth.flow import complete_oauth

    completed = await complete_oauth(user_id, provider, body.code, body.state_token)
    return completed.credentials


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
async def delete_credentials(
    user_id: UserId, service: Service, provider: str, cred_id: str, force: Annotated[bool, Query()] = False
) -> CredentialsDeletionResponse:
    # No presets reference credentials yet, so nothing ever needs confirmation.
    revoked = await service.delete(user_id, provider, cred_id)
    return CredentialsDeletionResponse(deleted=True, revoked=revoked)
