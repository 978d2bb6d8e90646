"""``/external-api/v1/integrations``: providers, and the caller's non-OAuth credentials.

Listings never carry a secret. The OAuth initiate/complete routes are not served yet:
they depend on provider OAuth handlers that do not exist here.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, HTTPException
from pydantic import BaseModel, Field

from agentplatform.api.external_auth import (
    AUTH_ERRORS,
    DeleteIntegrations,
    ManageIntegrations,
    ReadIntegrations,
)
from agentplatform.errors import NotFoundError
from agentplatform.integrations.providers import OAUTH_PROVIDERS, PROVIDER_NAMES, is_valid_provider
from agentplatform.integrations.service import CredentialsService
from agentplatform.models.credentials import CredentialsMetaResponse, CredentialsType

router = APIRouter(prefix="/external-api/v1/integrations", tags=["integrations"])


class ProviderInfo(BaseModel):
    name: str
    supports_oauth: bool = False
    supports_api_key: bool = False
    supports_user_password: bool = False
    supports_host_scoped: bool = False
    default_scopes: list[str] = Field(default_factory=list)


class CreateAPIKeyCredentialRequest(BaseModel):
    type: Literal["api_key"] = "api_key"
    api_key: str = Field(..., description="The API key")
    title: str = Field(..., description="A name for this credential")
    expires_at: int | None = Field(None, description="Unix timestamp when the API key expires")


class CreateUserPasswordCredentialRequest(BaseModel):
    type: Literal["user_password"] = "user_password"
    username: str
    password: str
    title: str


class CreateHostScopedCredentialRequest(BaseModel):
    type: Literal["host_scoped"] = "host_scoped"
    host: str = Field(..., description="Host/domain pattern to match")
    headers: dict[str, str] = Field(..., description="Headers to include in requests")
    title: str


CreateCredentialRequest = Annotated[
    CreateAPIKeyCredentialRequest | CreateUserPasswordCredentialRequest | CreateHostScopedCredentialRequest,
    Field(discriminator="type"),
]


class CreateCredentialResponse(BaseModel):
    id: str
    provider: str
    type: CredentialsType
    title: str | None = None


class DeleteCredentialResponse(BaseModel):
    deleted: bool = Field(..., description="Whether the credential was deleted")
    credentials_id: str = Field(..., description="ID of the deleted credential")


def _credentials_not_found() -> HTTPException:
    return HTTPException(404, detail="Credentials not found")


@router.get("/providers", responses=AUTH_ERRORS)
def list_providers(auth: ReadIntegrations) -> list[ProviderInfo]:
    """Every provider, with the kinds of credentials it takes."""
    return [
        ProviderInfo(
            name=name,
            supports_oauth=name in OAUTH_PROVIDERS,
            supports_api_key=True,
            supports_user_password=name == "smtp",
            supports_host_scoped=name == "http",
        )
        for name in PROVIDER_NAMES
    ]


@router.get("/credentials", responses=AUTH_ERRORS)
def list_credentials(auth: ReadIntegrations) -> list[CredentialsMetaResponse]:
    return CredentialsService().list(auth.user_id)


@router.get("/{provider}/credentials", responses=AUTH_ERRORS)
def list_credentials_by_provider(auth: ReadIntegrations, provider: str) -> list[CredentialsMetaResponse]:
    return CredentialsService().list(auth.user_id, provider)


@router.post(
    "/{provider}/credentials",
    status_code=201,
    summary="Create credentials",
    responses={**AUTH_ERRORS, 404: {}},
)
def create_credential(
    auth: ManageIntegrations, provider: str, request: Annotated[CreateCredentialRequest, Body()]
) -> CreateCredentialResponse:
    """Store API key, username/password or host-scoped credentials (not OAuth ones)."""
    if not is_valid_provider(provider):
        raise HTTPException(404, detail=f"Provider '{provider}' not found")
    created = CredentialsService().create(auth.user_id, provider, request.model_dump())
    return CreateCredentialResponse(id=created.id, provider=provider, type=created.type, title=created.title)


@router.delete("/{provider}/credentials/{cred_id}", responses={**AUTH_ERRORS, 404: {}})
async def delete_credential(
    auth: DeleteIntegrations, provider: str, cred_id: str
) -> DeleteCredentialResponse:
    try:
        await CredentialsService().delete(auth.user_id, provider, cred_id)
    except NotFoundError:
        raise _credentials_not_found() from None
    return DeleteCredentialResponse(deleted=True, credentials_id=cred_id)
