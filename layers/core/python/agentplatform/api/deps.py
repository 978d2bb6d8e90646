"""FastAPI dependencies: who is calling, and the repositories routes work with."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from agentplatform.config import DEFAULT_USER_ID, get_settings
from agentplatform.observability import bind

bearer_jwt_auth = HTTPBearer(bearerFormat="jwt", scheme_name="HTTPBearerJWT", auto_error=False)

IMPERSONATION_HEADER = "X-Act-As-User-Id"


class AuthUser(BaseModel):
    user_id: str
    email: str = ""
    phone_number: str = ""
    role: str = "authenticated"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, detail=message, headers={"WWW-Authenticate": "Bearer"})


def get_jwt_payload(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_jwt_auth)],
) -> dict[str, Any]:
    settings = get_settings()
    if not settings.enable_auth:
        # Local development without tokens: everything runs as the default (admin) user.
        return {"sub": DEFAULT_USER_ID, "role": "admin", "email": "default@example.com"}
    if credentials is None:
        raise _unauthorized("Authorization header is missing")
    # Deferred: PyJWT pulls in cryptography (~40 ms), paid on the first request instead
    # of in every cold start's INIT.
    from agentplatform.auth.jwt import TokenError, decode_token

    try:
        return decode_token(credentials.credentials, settings)
    except TokenError as exc:
        raise _unauthorized(str(exc)) from None


def _user_from(payload: dict[str, Any]) -> AuthUser:
    sub = payload.get("sub")
    if not sub or not isinstance(sub, str):
        raise _unauthorized("User ID not found in token")
    bind(user_id=sub)
    return AuthUser(
        user_id=sub,
        email=str(payload.get("email") or ""),
        phone_number=str(payload.get("phone") or ""),
        role=str(payload.get("role") or "authenticated"),
    )


def requires_user(payload: Annotated[dict[str, Any], Security(get_jwt_payload)]) -> AuthUser:
    return _user_from(payload)


def requires_admin_user(payload: Annotated[dict[str, Any], Security(get_jwt_payload)]) -> AuthUser:
    user = _user_from(payload)
    if not user.is_admin:
        raise HTTPException(403, detail="Admin access required")
    return user


def get_user_id(request: Request, user: Annotated[AuthUser, Security(requires_user)]) -> str:
    """The acting user's id; admins may act as another user via ``X-Act-As-User-Id``."""
    acting_as = request.headers.get(IMPERSONATION_HEADER, "").strip()
    if not acting_as:
        return user.user_id
    if not user.is_admin:
        raise HTTPException(403, detail="Only admin users can impersonate other users")
    bind(acting_as_user_id=acting_as)
    return acting_as


UserId = Annotated[str, Depends(get_user_id)]
CurrentUser = Annotated[AuthUser, Security(requires_user)]
AdminUser = Annotated[AuthUser, Security(requires_admin_user)]
