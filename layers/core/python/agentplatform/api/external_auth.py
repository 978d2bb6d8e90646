"""Who calls ``/external-api/v1``: an API key (``X-API-Key``) or an OAuth access token.

As upstream, the key is tried first, then ``Authorization: Bearer``. 401 for missing,
unknown, revoked or suspended credentials; 403 ``Missing required permission: <SCOPE>``
when the credential lacks the route's scope; 429 with ``Retry-After`` past
``API_KEY_RATE_LIMIT_PER_MINUTE`` (counted per API key, or per OAuth app and user).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import HTTPException, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from agentplatform.config import get_settings
from agentplatform.models.api_keys import (
    APIAuthorizationInfo,
    APIKeyInfo,
    APIKeyPermission,
    OAuthAccessTokenInfo,
)
from agentplatform.observability import bind

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
bearer_token = HTTPBearer(bearerFormat="oauth", scheme_name="HTTPBearerOAuth", auto_error=False)

MISSING_AUTHENTICATION = "Missing authentication. Provide API key or access token."
INVALID_API_KEY = "Invalid API key"

# What the external routes' OpenAPI entries list besides success.
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing, unknown, revoked or suspended credentials"},
    403: {"description": "The credential lacks the route's permission"},
    429: {"description": "Rate limit exceeded (see Retry-After)"},
}


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail=detail)


def _authenticate(api_key: str | None, bearer: HTTPAuthorizationCredentials | None) -> APIAuthorizationInfo:
    if api_key is not None:
        from agentplatform.auth.api_keys import verifier

        info = verifier().verify(api_key)
        if info is None:
            raise _unauthorized(INVALID_API_KEY)
        return info
    if bearer is not None:
        from agentplatform.oauth.tokens import InvalidTokenError, TokenService

        try:
            token, _app = TokenService().validate_access_token(bearer.credentials)
        except InvalidTokenError as exc:
            raise _unauthorized(str(exc)) from None
        return token
    raise _unauthorized(MISSING_AUTHENTICATION)


def _rate_limit_subject(auth: APIAuthorizationInfo) -> str:
    if isinstance(auth, APIKeyInfo):
        return f"apikey#{auth.id}"
    assert isinstance(auth, OAuthAccessTokenInfo)
    # OAuth: per app and user, so refreshing a token does not reset the count.
    return f"oauth#{auth.application_id}#{auth.user_id}"


def _enforce_rate_limit(auth: APIAuthorizationInfo) -> None:
    limit = get_settings().api_key_rate_limit_per_minute
    if limit is None:
        return
    from agentplatform.auth.rate_limit import RateLimitExceeded, limiter

    try:
        limiter().check(_rate_limit_subject(auth), limit)
    except RateLimitExceeded as exc:
        raise HTTPException(429, detail=str(exc), headers={"Retry-After": str(exc.retry_after)}) from None


def require_auth(
    api_key: Annotated[str | None, Security(api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_token)],
) -> APIAuthorizationInfo:
    auth = _authenticate(api_key, bearer)
    _enforce_rate_limit(auth)
    bind(user_id=auth.user_id)
    return auth


def require_permission(
    permission: APIKeyPermission,
) -> Callable[[APIAuthorizationInfo], APIAuthorizationInfo]:
    def check(auth: Annotated[APIAuthorizationInfo, Security(require_auth)]) -> APIAuthorizationInfo:
        if permission not in auth.scopes:
            raise HTTPException(403, detail=f"Missing required permission: {permission}")
        return auth

    return check


# The caller of a route, with the route's permission checked.
Identity = Annotated[APIAuthorizationInfo, Security(require_permission(APIKeyPermission.IDENTITY))]
ReadBlock = Annotated[APIAuthorizationInfo, Security(require_permission(APIKeyPermission.READ_BLOCK))]
ExecuteBlock = Annotated[APIAuthorizationInfo, Security(require_permission(APIKeyPermission.EXECUTE_BLOCK))]
ReadGraph = Annotated[APIAuthorizationInfo, Security(require_permission(APIKeyPermission.READ_GRAPH))]
ExecuteGraph = Annotated[APIAuthorizationInfo, Security(require_permission(APIKeyPermission.EXECUTE_GRAPH))]
ReadIntegrations = Annotated[
    APIAuthorizationInfo, Security(require_permission(APIKeyPermission.READ_INTEGRATIONS))
]
ManageIntegrations = Annotated[
    APIAuthorizationInfo, Security(require_permission(APIKeyPermission.MANAGE_INTEGRATIONS))
]
DeleteIntegrations = Annotated[
    APIAuthorizationInfo, Security(require_permission(APIKeyPermission.DELETE_INTEGRATIONS))
]
