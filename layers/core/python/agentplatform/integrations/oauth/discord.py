"""Discord: https://discord.com/developers/docs/topics/oauth2 (tokens last 7 days and
come with a refresh token)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentplatform.integrations.oauth.base import FORM, BaseOAuthHandler

if TYPE_CHECKING:
    from agentplatform.models.credentials import OAuth2Credentials
    from agentplatform.net.safe_http import SafeHttpClient


class DiscordOAuthHandler(BaseOAuthHandler):
    PROVIDER_NAME = "discord"
    AUTHORIZE_URL = "https://discord.com/oauth2/authorize"
    TOKEN_URL = "https://discord.com/api/oauth2/token"
    REVOKE_URL = "https://discord.com/api/oauth2/token/revoke"
    ME_URL = "https://discord.com/api/oauth2/@me"
    DEFAULT_SCOPES = ("identify",)

    async def revoke_tokens(self, http: SafeHttpClient, credentials: OAuth2Credentials) -> bool:
        from authlib.oauth2.rfc7009 import prepare_revoke_token_request

        body, headers = prepare_revoke_token_request(
            credentials.access_token.get_secret_value(), "access_token"
        )
        headers = {**headers, "Content-Type": FORM, "Authorization": self.basic_auth_header()}
        response = await http.request("POST", self.REVOKE_URL, headers=headers, data=body)
        return response.status_code == 200

    async def request_username(self, http: SafeHttpClient, access_token: str) -> str | None:
        response = await http.request("GET", self.ME_URL, headers={"Authorization": f"Bearer {access_token}"})
        if response.status_code != 200:
            return None
        username = (response.json().get("user") or {}).get("username")
        return str(username) if username else None
