"""Generic webhooks: any JSON object, optionally guarded by a shared secret header.

As upstream's ``GenericWebhooksManager``: a ``secret_token`` set on a bound preset's
trigger inputs must arrive in ``X-Webhook-Secret``; without one the unguessable URL is
the only credential.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from agentplatform.blocks.builtin.generic_webhook import GENERIC_WEBHOOK_PROVIDER, PLAIN
from agentplatform.integrations.webhooks.base import WebhooksManager, require_equal
from agentplatform.store.table import unpack

logger = logging.getLogger(__name__)

SECRET_TOKEN_INPUT = "secret_token"
SECRET_HEADER = "X-Webhook-Secret"


class GenericWebhooksManager(WebhooksManager):
    PROVIDER_NAME = GENERIC_WEBHOOK_PROVIDER

    def verify_signature(
        self,
        webhook: Mapping[str, Any],
        presets: Sequence[Mapping[str, Any]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        secrets = {
            token
            for preset in presets
            if isinstance(token := unpack(preset["inputs"]).get(SECRET_TOKEN_INPUT), str) and token.strip()
        }
        if not secrets:
            return
        if len(secrets) > 1:  # never log the values themselves
            logger.warning("webhook %s: presets set %d different secret tokens", webhook["id"], len(secrets))
        require_equal(sorted(secrets)[0], headers.get(SECRET_HEADER.lower()), SECRET_HEADER)

    def validate_payload(
        self, webhook: Mapping[str, Any], headers: Mapping[str, str], body: bytes
    ) -> tuple[dict[str, Any], str]:
        try:
            payload = json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise ValueError("Webhook payload must be a JSON object") from None
        if not isinstance(payload, dict):
            raise ValueError("Webhook payload must be a JSON object")
        return payload, PLAIN
