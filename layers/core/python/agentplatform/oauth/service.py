"""OAuth 2.0 provider flows: authorization code with PKCE, token, introspection, revocation.

Protocol pieces come from authlib: the RFC 6749 error codes, PKCE (RFC 7636) challenge
and verifier syntax and the S256 transform, and redirect URL building. Only S256 PKCE is
accepted (RFC 9700 deprecates ``plain``). Client secrets are stored as salted Scrypt
hashes; codes and tokens as their SHA-256 (see ``oauth/tokens.py``).

Error handling follows upstream: an unknown or inactive client and an unregistered
redirect URI answer 400 without redirecting (RFC 6749 §4.1.2.1); other authorization
errors go back to the registered redirect URI as ``error``/``error_description``.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749.errors import (
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
    UnsupportedResponseTypeError,
)
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oauth2.rfc7636.challenge import CODE_CHALLENGE_PATTERN, CODE_VERIFIER_PATTERN

from agentplatform.auth.keysmith import hash_secret, verify_secret
from agentplatform.errors import NotFoundError
from agentplatform.models.api_keys import APIKeyPermission
from agentplatform.models.oauth import (
    AuthorizeRequest,
    AuthorizeResponse,
    OAuthApplicationInfo,
    OAuthApplicationPublicInfo,
    RegisteredApplication,
    TokenIntrospectionResult,
    TokenResponse,
    TokenTypeHint,
)
from agentplatform.oauth.tokens import TokenPair, TokenService, epoch, secret_hash
from agentplatform.store.oauth import OAuthRepository

AUTHORIZATION_CODE_TTL = timedelta(minutes=10)
GRANT_TYPES = ["authorization_code", "refresh_token"]
_APP_FIELDS = tuple(OAuthApplicationInfo.model_fields)

__all__ = ["InvalidClientError", "InvalidGrantError", "OAuth2Error", "OAuthService"]


def app_info(item: dict[str, Any]) -> OAuthApplicationInfo:
    return OAuthApplicationInfo.model_validate({name: item.get(name) for name in _APP_FIELDS})


def _invalid_grant(reason: str) -> InvalidGrantError:
    return InvalidGrantError(f"Invalid grant: {reason}")


def _now() -> datetime:
    return datetime.now(UTC)


class OAuthService:
    def __init__(self, repo: OAuthRepository | None = None):
        self.repo = repo or OAuthRepository()
        self.tokens = TokenService(self.repo)

    # -- applications

    def register_application(
        self,
        owner_id: str,
        name: str,
        redirect_uris: list[str],
        scopes: list[APIKeyPermission],
        description: str | None = None,
    ) -> RegisteredApplication:
        """A new app owned by ``owner_id``; its client secret is returned only here."""
        if not redirect_uris or not scopes:
            raise ValueError("An application needs at least one redirect URI and one scope")
        client_secret = "agpt_secret_" + secrets.token_urlsafe(32)
        hashed = hash_secret(client_secret)
        now = _now().isoformat()
        app = {
            "id": str(uuid.uuid4()),
            "name": name,
            "description": description,
            "client_id": "agpt_client_" + secrets.token_urlsafe(16),
            "client_secret_hash": hashed.hash,
            "client_secret_salt": hashed.salt,
            "redirect_uris": list(redirect_uris),
            "grant_types": GRANT_TYPES,
            "scopes": [str(scope) for scope in scopes],
            "owner_id": owner_id,
            "is_active": True,
            "created_at": now,
            "updated_at": now,
        }
        self.repo.create_app(owner_id, app)
        return RegisteredApplication(application=app_info(app), client_secret=client_secret)

    def list_mine(self, owner_id: str) -> list[OAuthApplicationInfo]:
        items = sorted(self.repo.apps_of(owner_id), key=lambda item: item["created_at"], reverse=True)
        return [app_info(item) for item in items]

    def public_info(self, client_id: str) -> OAuthApplicationPublicInfo:
        app = self.repo.app_by_client_id(client_id)
        if app is None or not app.get("is_active"):
            raise NotFoundError("Application not found")
        return OAuthApplicationPublicInfo(
            name=app["name"],
            description=app.get("description"),
            logo_url=app.get("logo_url"),
            scopes=app["scopes"],
            redirect_uris=app["redirect_uris"],
        )

    def set_active(self, owner_id: str, app_id: str, is_active: bool) -> OAuthApplicationInfo:
        """Disabling an app also stops its access tokens from working (checked per request)."""
        return self._update(owner_id, app_id, {"is_active": is_active})

    def set_logo(self, owner_id: str, app_id: str, logo_url: str) -> OAuthApplicationInfo:
        return self._update(owner_id, app_id, {"logo_url": logo_url})

    def _update(self, owner_id: str, app_id: str, fields: dict[str, Any]) -> OAuthApplicationInfo:
        item = self.repo.update_app(owner_id, app_id, {**fields, "updated_at": _now().isoformat()})
        if item is None:
            raise NotFoundError("Application not found or you don't have permission to update it")
        return app_info(item)

    # -- authorization endpoint

    def authorize(self, user_id: str, request: AuthorizeRequest) -> AuthorizeResponse:
        app = self.repo.app_by_client_id(request.client_id)
        if app is None:
            raise InvalidClientError("Unknown client_id")
        if not app.get("is_active"):
            raise InvalidClientError("Application is not active")
        if request.redirect_uri not in app["redirect_uris"]:
            raise InvalidRequestError(
                f"Invalid redirect_uri. Must be one of: {', '.join(app['redirect_uris'])}"
            )
        try:
            scopes = self._check_authorization(app, request)
        except OAuth2Error as error:
            params = {"error": error.error, "state": request.state}
            if description := error.get_error_description():
                params["error_description"] = description
            return AuthorizeResponse(redirect_url=add_params_to_uri(request.redirect_uri, params))
        code = secrets.token_urlsafe(32)
        expires_at = _now() + AUTHORIZATION_CODE_TTL
        self.repo.put_code(
            secret_hash(code),
            {
                "application_id": app["id"],
                "user_id": user_id,
                "scopes": scopes,
                "redirect_uri": request.redirect_uri,
                "code_challenge": request.code_challenge,
                "code_challenge_method": "S256",
                "expires_at": expires_at.isoformat(),
                "ttl": epoch(expires_at),
            },
        )
        params = {"code": code, "state": request.state}
        return AuthorizeResponse(redirect_url=add_params_to_uri(request.redirect_uri, params))

    @staticmethod
    def _check_authorization(app: dict[str, Any], request: AuthorizeRequest) -> list[str]:
        """The granted scopes; an OAuth2Error for anything the client got wrong."""
        if request.response_type != "code":
            raise UnsupportedResponseTypeError(request.response_type)
        if request.code_challenge_method != "S256":
            raise InvalidRequestError("Only the 'S256' code_challenge_method is supported")
        if not CODE_CHALLENGE_PATTERN.match(request.code_challenge):
            raise InvalidRequestError("Invalid code_challenge")
        scopes = [scope.strip() for scope in request.scopes if scope.strip()]
        if not scopes:
            raise InvalidScopeError("At least one scope is required")
        unknown = [scope for scope in scopes if scope not in APIKeyPermission.__members__]
        if unknown:
            raise InvalidScopeError(f"Invalid scope: {', '.join(unknown)}")
        if not set(scopes) <= set(app["scopes"]):
            allowed = ", ".join(app["scopes"])
            raise InvalidScopeError(
                f"Application is not authorized for all requested scopes. Allowed: {allowed}"
            )
        return list(dict.fromkeys(scopes))

    # -- token endpoint

    def authenticate_client(self, client_id: str, client_secret: str) -> dict[str, Any]:
        app = self.repo.app_by_client_id(client_id)
        if app is None:
            raise InvalidClientError("Invalid client_id")
        if not app.get("is_active"):
            raise InvalidClientError("Application is not active")
        if not verify_secret(client_secret, app["client_secret_hash"], app["client_secret_salt"]):
            raise InvalidClientError("Invalid client_secret")
        return app

    def exchange_code(
        self, app: dict[str, Any], code: str, redirect_uri: str, code_verifier: str
    ) -> TokenResponse:
        code_hash = secret_hash(code)
        record = self.repo.code(code_hash)
        if record is None:
            raise _invalid_grant("authorization code not found")
        if record["application_id"] != app["id"]:
            raise _invalid_grant("authorization code does not belong to this application")
        if record.get("used_at"):
            raise _invalid_grant("authorization code already used")
        if datetime.fromisoformat(record["expires_at"]) <= _now():
            raise _invalid_grant("authorization code expired")
        if record["redirect_uri"] != redirect_uri:
            raise _invalid_grant("redirect_uri mismatch")
        if not CODE_VERIFIER_PATTERN.match(code_verifier) or not hmac.compare_digest(
            create_s256_code_challenge(code_verifier), record["code_challenge"]
        ):
            raise _invalid_grant("PKCE verification failed")
        if not self.repo.use_code(code_hash, _now().isoformat()):
            raise _invalid_grant("authorization code already used")  # a concurrent exchange won
        return _token_response(self.tokens.issue(app, record["user_id"], record["scopes"]))

    def refresh(self, app: dict[str, Any], refresh_token: str) -> TokenResponse:
        """Rotate: the presented refresh token is revoked (once: a conditional write) and a
        new pair with the same scopes is issued."""
        token_hash = secret_hash(refresh_token)
        record = self.repo.token("refresh_token", token_hash)
        if record is None:
            raise _invalid_grant("refresh token not found")
        if record.get("revoked_at"):
            raise _invalid_grant("refresh token has been revoked")
        if record["application_id"] != app["id"]:
            raise _invalid_grant("refresh token does not belong to this application")
        if datetime.fromisoformat(record["expires_at"]) <= _now():
            raise _invalid_grant("refresh token expired")
        if self.repo.revoke_token("refresh_token", token_hash, app["id"], _now().isoformat()) is None:
            raise _invalid_grant("refresh token has been revoked")
        return _token_response(self.tokens.issue(app, record["user_id"], record["scopes"]))

    # -- introspection (RFC 7662) and revocation (RFC 7009)

    def introspect(self, token: str, hint: TokenTypeHint | None) -> TokenIntrospectionResult:
        kinds: list[TokenTypeHint] = ["access_token", "refresh_token"]
        if hint == "refresh_token":
            kinds.reverse()
        for kind in kinds:
            item = self.tokens.live_token(kind, token)
            if item is None:
                continue
            app = self.repo.app(item["app_owner_id"], item["application_id"])
            if app is None or not app.get("is_active"):
                continue
            return TokenIntrospectionResult(
                active=True,
                scopes=item["scopes"],
                client_id=app["client_id"],
                user_id=item["user_id"],
                exp=epoch(datetime.fromisoformat(item["expires_at"])),
                token_type=kind,
            )
        return TokenIntrospectionResult(active=False)

    def revoke(self, app: dict[str, Any], token: str, hint: TokenTypeHint | None) -> None:
        """Revoke the app's own token; silent when there is none (RFC 7009 §2.2)."""
        kinds: list[TokenTypeHint] = (
            ["refresh_token"] if hint == "refresh_token" else ["access_token", "refresh_token"]
        )
        token_hash = secret_hash(token)
        for kind in kinds:
            if self.repo.revoke_token(kind, token_hash, app["id"], _now().isoformat()) is not None:
                return


def _token_response(pair: TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access.token,
        access_token_expires_at=pair.access.expires_at,
        refresh_token=pair.refresh.token,
        refresh_token_expires_at=pair.refresh.expires_at,
        scopes=pair.scopes,
    )
