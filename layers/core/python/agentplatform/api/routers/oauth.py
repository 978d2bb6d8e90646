"""``/api/oauth``: the platform's OAuth 2.0 provider (spec §1.3 rows 134-142).

Third-party apps send users here to grant scopes, exchange the code (with PKCE) for
tokens at ``/token``, and call ``/external-api/v1`` with the access token. Bodies are
JSON, as upstream. Errors: ``{"detail": ...}`` with 400 (bad request or grant) or 401
(client authentication failed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends, File, HTTPException, Path, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from agentplatform.api.deps import UserId
from agentplatform.models.oauth import (
    AuthorizeRequest,
    AuthorizeResponse,
    OAuthApplicationInfo,
    OAuthApplicationPublicInfo,
    RevocationResponse,
    TokenIntrospectionResult,
    TokenRequestByCode,
    TokenRequestByRefreshToken,
    TokenResponse,
    TokenTypeHint,
    UpdateAppLogoRequest,
    UpdateAppStatusRequest,
)
from agentplatform.oauth.service import InvalidClientError, OAuth2Error, OAuthService

router = APIRouter(prefix="/api/oauth", tags=["oauth"])

T = TypeVar("T")

_BAD_REQUEST: dict[int | str, dict[str, Any]] = {400: {"description": "Invalid request or grant"}}
_CLIENT_AUTH: dict[int | str, dict[str, Any]] = {401: {"description": "Client authentication failed"}}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Not one of the caller's apps"}}


def oauth_service() -> OAuthService:
    return OAuthService()


Service = Annotated[OAuthService, Depends(oauth_service)]


def _answering_errors(call: Callable[[], T], client_status: int = 401) -> T:
    """OAuth errors as upstream answers them: ``client_status`` when client authentication
    failed (400 at the authorization endpoint, where no client secret is sent), else 400."""
    try:
        return call()
    except OAuth2Error as error:
        status = client_status if isinstance(error, InvalidClientError) else 400
        raise HTTPException(status, detail=error.get_error_description() or error.error) from None


@router.get(
    "/app/{client_id}",
    summary="Get public information about an OAuth application.",
    responses={404: {"description": "Application not found or disabled"}},
)
def get_oauth_app_info(user_id: UserId, service: Service, client_id: str) -> OAuthApplicationPublicInfo:
    return service.public_info(client_id)


@router.post("/authorize", summary="OAuth 2.0 Authorization Endpoint", responses=_BAD_REQUEST)
def authorize(user_id: UserId, service: Service, request: AuthorizeRequest) -> AuthorizeResponse:
    """Create an authorization code for the signed-in user (PKCE S256 required) and answer
    the URL to send the user back to."""
    return _answering_errors(lambda: service.authorize(user_id, request), client_status=400)


@router.post("/token", summary="OAuth 2.0 Token Endpoint", responses={**_BAD_REQUEST, **_CLIENT_AUTH})
def token(
    service: Service, request: Annotated[TokenRequestByCode | TokenRequestByRefreshToken, Body()]
) -> TokenResponse:
    def exchange() -> TokenResponse:
        app = service.authenticate_client(request.client_id, request.client_secret)
        if isinstance(request, TokenRequestByCode):
            return service.exchange_code(app, request.code, request.redirect_uri, request.code_verifier)
        return service.refresh(app, request.refresh_token)

    return _answering_errors(exchange)


@router.post(
    "/introspect", summary="OAuth 2.0 Token Introspection Endpoint (RFC 7662)", responses=_CLIENT_AUTH
)
def introspect(
    service: Service,
    token: Annotated[str, Body(description="Token to introspect")],
    client_id: Annotated[str, Body(description="Client identifier")],
    client_secret: Annotated[str, Body(description="Client secret")],
    token_type_hint: Annotated[TokenTypeHint | None, Body(description="Hint about the token type")] = None,
) -> TokenIntrospectionResult:
    def check() -> TokenIntrospectionResult:
        service.authenticate_client(client_id, client_secret)
        return service.introspect(token, token_type_hint)

    return _answering_errors(check)


@router.post("/revoke", summary="OAuth 2.0 Token Revocation Endpoint (RFC 7009)", responses=_CLIENT_AUTH)
def revoke(
    service: Service,
    token: Annotated[str, Body(description="Token to revoke")],
    client_id: Annotated[str, Body(description="Client identifier")],
    client_secret: Annotated[str, Body(description="Client secret")],
    token_type_hint: Annotated[TokenTypeHint | None, Body(description="Hint about the token type")] = None,
) -> RevocationResponse:
    """Always ``{"status": "ok"}`` for an authenticated client, whether or not the token
    existed or was its own (no token probing)."""

    def revoke_own() -> RevocationResponse:
        app = service.authenticate_client(client_id, client_secret)
        service.revoke(app, token, token_type_hint)
        return RevocationResponse()

    return _answering_errors(revoke_own)


@router.get("/apps/mine", summary="List all OAuth applications owned by the current user.")
def list_my_oauth_apps(user_id: UserId, service: Service) -> list[OAuthApplicationInfo]:
    return service.list_mine(user_id)


@router.patch(
    "/apps/{app_id}/status", summary="Enable or disable an OAuth application.", responses=_NOT_FOUND
)
def update_app_status(
    user_id: UserId, service: Service, app_id: str, request: UpdateAppStatusRequest
) -> OAuthApplicationInfo:
    return service.set_active(user_id, app_id, request.is_active)


@router.patch(
    "/apps/{app_id}/logo", summary="Update the logo URL for an OAuth application.", responses=_NOT_FOUND
)
def update_app_logo(
    user_id: UserId, service: Service, app_id: str, request: UpdateAppLogoRequest
) -> OAuthApplicationInfo:
    return service.set_logo(user_id, app_id, request.logo_url)


@router.post(
    "/apps/{app_id}/logo/upload",
    summary="Upload a logo image for an OAuth application.",
    responses={
        **_NOT_FOUND,
        400: {"description": "Not a square image of 512 to 2048 pixels a side"},
        413: {"description": "File over 3 MB"},
        415: {"description": "Not a JPEG, PNG or WebP (sniffed from the content)"},
    },
)
async def upload_app_logo(
    user_id: UserId, service: Service, request: Request, app_id: str, file: Annotated[UploadFile, File()]
) -> OAuthApplicationInfo:
    """Store the logo in public media and set the app's ``logo_url`` to it (owner only)."""
    from agentplatform.oauth import logo

    app = await run_in_threadpool(logo.owned_app, service, user_id, app_id)
    if file.size is not None and file.size > logo.LOGO_MAX_FILE_SIZE:
        raise logo.too_large()
    content = await file.read(logo.LOGO_MAX_FILE_SIZE + 1)  # never more than one byte past the limit
    base_url = str(request.base_url)
    return await run_in_threadpool(logo.upload_logo, service, user_id, app, file.filename, content, base_url)


@router.get(
    "/apps/{app_id}/logo/{file_name}",
    summary="Get an OAuth application's uploaded logo (redirects to the file).",
    status_code=307,
    response_class=RedirectResponse,
    responses=_NOT_FOUND,
)
def get_app_logo(
    app_id: Annotated[str, Path(max_length=64)], file_name: Annotated[str, Path(max_length=64)]
) -> RedirectResponse:
    """Public, as the consent screen shows it to whoever is asked to authorize the app."""
    from agentplatform.oauth import logo

    return RedirectResponse(logo.signed_logo_url(app_id, file_name), status_code=307)
