"""Platform webhooks: per-provider managers, and the registry that picks one.

Add a provider by writing its ``WebhooksManager`` subclass and naming it in
``MANAGERS`` (provider name -> "module:Class"; modules load on first use).
"""

from __future__ import annotations

import importlib

from agentplatform.errors import NotFoundError
from agentplatform.integrations.webhooks.base import WebhooksManager

MANAGERS: dict[str, str] = {
    "generic_webhook": "agentplatform.integrations.webhooks.generic:GenericWebhooksManager",
}


def get_webhook_manager(provider: str) -> WebhooksManager:
    """The provider's manager; ``NotFoundError`` (404) for a provider without webhooks."""
    target = MANAGERS.get(provider)
    if target is None:
        raise NotFoundError(f"Provider {provider!r} does not support webhooks")
    module, _, name = target.partition(":")
    manager: WebhooksManager = getattr(importlib.import_module(module), name)()
    return manager
