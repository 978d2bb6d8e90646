"""OAuth for integrations: one handler class per provider, and the platform's apps.

To add a provider, subclass ``BaseOAuthHandler`` in a module here (endpoints, default
scopes, ``revoke_tokens``, ``request_username``), list it in ``HANDLERS``, and configure
``<PROVIDER>_CLIENT_ID`` / ``<PROVIDER>_CLIENT_SECRET`` (``docs/integrations.md``).
"""

from __future__ import annotations

from agentplatform.config import get_settings
from agentplatform.errors import NotConfiguredError, NotFoundError
from agentplatform.integrations.oauth.base import BaseOAuthHandler, OAuthApp, OAuthProviderError
from agentplatform.integrations.oauth.discord import DiscordOAuthHandler
from agentplatform.integrations.oauth.github import GitHubOAuthHandler
from agentplatform.integrations.oauth.google import GoogleOAuthHandler
from agentplatform.integrations.providers import constant_name

HANDLERS: dict[str, type[BaseOAuthHandler]] = {
    handler.PROVIDER_NAME: handler
    for handler in (GoogleOAuthHandler, GitHubOAuthHandler, DiscordOAuthHandler)
}

# Where the frontend receives the provider's redirect (upstream's path).
CALLBACK_PATH = "/auth/integrations/oauth_callback"


def frontend_redirect_uri() -> str:
    return f"{get_settings().frontend_base_url}{CALLBACK_PATH}"


def oauth_app(provider: str, redirect_uri: str | None = None) -> OAuthApp:
    """The platform's app at ``provider``, from ``<PROVIDER>_CLIENT_ID``/``_SECRET``
    (environment or ``PLATFORM_SECRETS_ARN``)."""
    from agentplatform.platform_secrets import platform_secret

    prefix = constant_name(provider)
    client_id = platform_secret(f"{prefix}_CLIENT_ID")
    client_secret = platform_secret(f"{prefix}_CLIENT_SECRET")
    if not (client_id and client_secret):
        raise NotConfiguredError(f"Integration with provider '{provider}' is not configured.")
    return OAuthApp(client_id, client_secret, redirect_uri or frontend_redirect_uri())


def oauth_handler(provider: str, redirect_uri: str | None = None) -> BaseOAuthHandler:
    """The configured handler for ``provider``: 404 if it has no OAuth, 501 if unconfigured."""
    handler = HANDLERS.get(provider)
    if handler is None:
        raise NotFoundError(f"Provider '{provider}' does not support OAuth")
    return handler(oauth_app(provider, redirect_uri))


__all__ = [
    "HANDLERS",
    "BaseOAuthHandler",
    "OAuthApp",
    "OAuthProviderError",
    "frontend_redirect_uri",
    "oauth_app",
    "oauth_handler",
]
