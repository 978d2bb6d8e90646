"""``/external-api/v1/integrations``: providers, the caller's non-OAuth credentials, and
OAuth sign-in on the caller's behalf (``oauth/initiate`` and ``oauth/complete``: the
provider redirects to the app's own ``callback_url``, which must have one of
``EXTERNAL_OAUTH_CALLBACK_ORIGINS``'s origins; the flow is ``integrations/oauth/flow.py``).

Listings never carry a secret, nor does an OAuth completion.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException
from pydantic import BaseModel, Field

from agentplatform.api.external_auth import (
    AUTH_ERRORS,
    DeleteIntegrations,
    ManageIntegrations,
    ReadIntegrations,
)
from agentplatform.config import get_settings
from agentplatform.errors import NotFoundError
from agentplatform.integrations.providers import PROVIDER_NAMES, is_valid_provider
from agentplatform.integrations.service import CredentialsService
from agentplatform.models.api_keys import APIKeyInfo
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


class OAuthInitiateRequest(BaseModel):
    callback_url: str = Field(..., description="The external app's callback URL for OAuth redirect")
    scopes: list[str] = Field(default_factory=list, description="OAuth scopes to request")
    state_metadata: dict[str, Any] = Field(
        default_factory=dict, description="Arbitrary metadata to echo back on completion"
    )


class OAuthInitiateResponse(BaseModel):
    login_url: str = Field(..., description="URL to redirect user for OAuth consent")
    state_token: str = Field(..., description="State token for CSRF protection")
    expires_at: int = Field(..., description="Unix timestamp when the state token expires")


class OAuthCompleteRequest(BaseModel):
    code: str = Field(..., description="Authorization code from OAuth provider")
    state_token: str = Field(..., description="State token from initiate request")


class OAuthCompleteResponse(BaseModel):
    credentials_id: str = Field(..., description="ID of the stored credentials")
    provider: str = Field(..., description="Provider name")
    type: str = Field(..., description="Credential type (oauth2)")
    title: str | None = Field(None, description="Credential title")
    scopes: list[str] = Field(default_factory=list, description="Granted scopes")
    username: str | None = Field(None, description="Username from provider")
    state_metadata: dict[str, Any] = Field(
        default_factory=dict, description="Echoed metadata from initiate request"
    )


class DeleteCredentialResponse(BaseModel):
    deleted: bool = Field(..., description="Whether the credential was deleted")
    credentials_id: str = Field(..., description="ID of the deleted credential")


def _credentials_not_found() -> HTTPException:
    return HTTPException(404, detail="Credentials not found")


_OAUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    **AUTH_ERRORS,
    404: {"description": "Unknown provider, or one without OAuth"},
    501: {"description": "The provider's OAuth app is not configured on this platform"},
}


@router.get("/providers", responses=AUTH_ERRORS)
def list_providers(auth: ReadIntegrations) -> list[ProviderInfo]:
    """Every provider, with the kinds of credentials it takes (OAuth: those that
    ``oauth/initiate`` serves, with their default scopes)."""
    from agentplatform.integrations.oauth import HANDLERS

    return [
        ProviderInfo(
            name=name,
            supports_oauth=name in HANDLERS,
            supports_api_key=True,
            supports_user_password=name == "smtp",
            supports_host_scoped=name == "http",
            default_scopes=list(HANDLERS[name].DEFAULT_SCOPES) if name in HANDLERS else [],
        )
        for name in PROVIDER_NAMES
    ]


@router.post(
    "/{provider}/oauth/initiate",
    summary="Initiate OAuth flow",
    responses={**_OAUTH_ERRORS, 400: {"description": "The callback URL's origin is not allowed"}},
)
def initiate_oauth(
    auth: ManageIntegrations, provider: str, request: OAuthInitiateRequest
) -> OAuthInitiateResponse:
    """A login URL at ``provider`` that returns the user to ``callback_url`` with a code
    for ``oauth/complete``; the state token is this caller's, for this provider, once."""
    from agentplatform.integrations.oauth.flow import callback_origin_allowed, start_oauth

    allowed = get_settings().external_oauth_callback_origins
    if not callback_origin_allowed(request.callback_url, allowed):
        raise HTTPException(
            400, detail=f"Callback URL origin is not allowed. Allowed origins: {list(allowed)}"
        )
    if provider not in PROVIDER_NAMES:
        raise HTTPException(404, detail=f"Provider '{provider}' not found")
    started = start_oauth(
        auth.user_id,
        provider,
        request.scopes,
        callback_url=request.callback_url,
        state_metadata=request.state_metadata,
        initiated_by_api_key_id=auth.id if isinstance(auth, APIKeyInfo) else None,
    )
    return OAuthInitiateResponse(
        login_url=started.login_url, state_token=started.state_token, expires_at=started.expires_at
    )


@router.post(
    "/{provider}/oauth/complete",
    summary="Complete OAuth flow",
    responses={**_OAUTH_ERRORS, 400: {"description": "Invalid or expired state token, or a refused code"}},
)
async def complete_oauth(
    auth: ManageIntegrations, provider: str, request: OAuthCompleteRequest
) -> OAuthCompleteResponse:
    """Exchange the code the provider sent to the app's callback for tokens, stored as a
    new OAuth2 credential of the caller (the tokens are never returned)."""
    from agentplatform.integrations.oauth.flow import complete_oauth as complete

    completed = await complete(auth.user_id, provider, request.code, request.state_token, external=True)
    credentials = completed.credentials
    return OAuthCompleteResponse(
        credentials_id=credentials.id,
        provider=credentials.provider,
        type=credentials.type,
        title=credentials.title,
        scopes=credentials.scopes or [],
        username=credentials.username,
        state_metadata=completed.state_metadata,
    )


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
