"""GitHub: https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps

OAuth apps' tokens do not expire and come without a refresh token; GitHub apps with token
expiry enabled also return a refresh token, which ``refresh_tokens`` then uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentplatform.integrations.oauth.base import BaseOAuthHandler

if TYPE_CHECKING:
    from agentplatform.models.credentials import OAuth2Credentials
    from agentplatform.net.safe_http import SafeHttpClient

API_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


class GitHubOAuthHandler(BaseOAuthHandler):
    PROVIDER_NAME = "github"
    AUTHORIZE_URL = "https://github.com/login/oauth/authorize"
    TOKEN_URL = "https://github.com/login/oauth/access_token"
    REVOKE_URL = "https://api.github.com/applications/{client_id}/token"
    USER_URL = "https://api.github.com/user"
    GRANTED_SCOPE_SEPARATOR = ","  # GitHub reports granted scopes as "repo,gist"

    async def revoke_tokens(self, http: SafeHttpClient, credentials: OAuth2Credentials) -> bool:
        response = await http.request(
            "DELETE",
            self.REVOKE_URL.format(client_id=self.app.client_id),
            headers={**API_HEADERS, "Authorization": self.basic_auth_header()},
            json={"access_token": credentials.access_token.get_secret_value()},
        )
        return response.status_code == 204

    async def request_username(self, http: SafeHttpClient, access_token: str) -> str | None:
        response = await http.request(
            "GET", self.USER_URL, headers={**API_HEADERS, "Authorization": f"Bearer {access_token}"}
        )
        if response.status_code != 200:
            return None
        login = response.json().get("login")
        return str(login) if login else None
