"""Google: https://developers.google.com/identity/protocols/oauth2/web-server"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from agentplatform.integrations.oauth.base import FORM, BaseOAuthHandler, _unique

if TYPE_CHECKING:
    from agentplatform.models.credentials import OAuth2Credentials
    from agentplatform.net.safe_http import SafeHttpClient


class GoogleOAuthHandler(BaseOAuthHandler):
    PROVIDER_NAME = "google"
    AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth"
    TOKEN_URL = "https://oauth2.googleapis.com/token"
    REVOKE_URL = "https://oauth2.googleapis.com/revoke"
    USERINFO_URL = "https://www.googleapis.com/oauth2/v2/userinfo"
    DEFAULT_SCOPES = (
        "https://www.googleapis.com/auth/userinfo.email",
        "https://www.googleapis.com/auth/userinfo.profile",
        "openid",
    )

    def authorization_params(self) -> dict[str, str]:
        # A refresh token on every consent, and scopes granted earlier kept (incremental auth).
        return {"access_type": "offline", "include_granted_scopes": "true", "prompt": "consent"}

    def login_scopes(self, scopes: Sequence[str]) -> list[str]:
        # Upstream always adds the identity scopes: the account's email names the credential.
        return _unique([*scopes, *self.DEFAULT_SCOPES])

    async def revoke_tokens(self, http: SafeHttpClient, credentials: OAuth2Credentials) -> bool:
        # Revoking the access token revokes its refresh token too.
        from authlib.oauth2.rfc7009 import prepare_revoke_token_request

        body, headers = prepare_revoke_token_request(credentials.access_token.get_secret_value())
        headers = {**headers, "Content-Type": FORM}
        response = await http.request("POST", self.REVOKE_URL, headers=headers, data=body)
        return response.status_code == 200

    async def request_username(self, http: SafeHttpClient, access_token: str) -> str | None:
        response = await http.request(
            "GET", self.USERINFO_URL, headers={"Authorization": f"Bearer {access_token}"}
        )
        if response.status_code != 200:
            return None
        email = response.json().get("email")
        return str(email) if email else None
