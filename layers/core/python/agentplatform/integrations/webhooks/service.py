"""Webhook use cases: creating one for a trigger preset, ingress, ping.

Ingress (no user token) reads the webhook by its id, lets the provider's manager verify
and parse the request, then starts one run of every active preset bound to it, as the
preset's owner: the trigger node gets the preset's trigger inputs and the payload. One
preset failing does not stop the others; a preset whose graph is gone is deactivated.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from agentplatform.config import get_settings
from agentplatform.errors import NotAuthorizedError, NotFoundError
from agentplatform.integrations.webhooks import get_webhook_manager
from agentplatform.integrations.webhooks.generic import SECRET_TOKEN_INPUT
from agentplatform.models.graph import GraphModel, NodeModel
from agentplatform.models.webhooks import Webhook
from agentplatform.store.table import unpack
from agentplatform.store.webhooks import WebhookRepository, webhook_item

logger = logging.getLogger(__name__)


def ingress_path(provider: str, webhook_id: str) -> str:
    return f"/api/integrations/{provider}/webhooks/{webhook_id}/ingress"


def ingress_url(provider: str, webhook_id: str) -> str:
    """Absolute with ``PLATFORM_BASE_URL`` set, else the path on the API's own host."""
    return get_settings().platform_base_url + ingress_path(provider, webhook_id)


def to_webhook(item: Mapping[str, Any]) -> Webhook:
    return Webhook(
        id=item["id"],
        user_id=item["user_id"],
        provider=item["provider"],
        credentials_id=item.get("credentials_id", ""),
        webhook_type=item["webhook_type"],
        resource=item.get("resource", ""),
        events=list(item.get("events") or []),
        config=item.get("config") or {},
        provider_webhook_id=item.get("provider_webhook_id", ""),
        url=ingress_url(item["provider"], item["id"]),
    )


def public_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    """What a preset keeps of its webhook to show it (never the secret)."""
    return to_webhook(item).model_dump(exclude={"url"})


def new_webhook(user_id: str, provider: str, webhook_type: str, events: list[str]) -> dict[str, Any]:
    """A manual webhook: an unguessable id (its URL) and a fresh signing secret."""
    return webhook_item(
        str(uuid.uuid4()),
        user_id,
        provider=provider,
        webhook_type=webhook_type,
        events=events,
        credentials_id="",
        resource="",
        provider_webhook_id="",
        config={},
        secret=secrets.token_hex(32),
    )


def trigger_node(graph: GraphModel) -> NodeModel | None:
    """The graph's webhook trigger node (upstream ``webhook_input_node``)."""
    from agentplatform.graphs.schema import webhook_trigger

    found = webhook_trigger(graph)
    return None if found is None else graph.node(found[1].id)


class WebhookService:
    def __init__(self, repo: WebhookRepository | None = None):
        self.repo = repo or WebhookRepository()

    def _owned(
        self, webhook_id: str, provider: str | None = None, user_id: str | None = None
    ) -> dict[str, Any]:
        """The webhook; 404 when missing, of another provider, or (with ``user_id``) not theirs."""
        item = self.repo.get(webhook_id)
        if item is None or provider not in (None, item["provider"]) or user_id not in (None, item["user_id"]):
            raise NotFoundError(f"Webhook #{webhook_id} not found")
        return item

    def ingress(self, provider: str, webhook_id: str, headers: Mapping[str, str], body: bytes) -> int:
        """Start one run per active bound preset; returns how many started."""
        manager = get_webhook_manager(provider)
        webhook = self._owned(webhook_id, provider)
        presets = self.repo.bound_presets(webhook_id)
        manager.verify_signature(webhook, presets, headers, body)
        payload, _event_type = manager.validate_payload(webhook, headers, body)
        started = 0
        for preset in presets:
            if preset.get("is_active") and preset["user_id"] == webhook["user_id"]:
                started += self._run_preset(webhook, preset, payload)
        return started

    def _run_preset(self, webhook: Mapping[str, Any], preset: dict[str, Any], payload: dict[str, Any]) -> int:
        from agentplatform.executions.service import ExecutionService
        from agentplatform.library.permissions import runnable_graph
        from agentplatform.store.graphs import GraphRepository
        from agentplatform.store.library import LibraryRepository

        executions = ExecutionService(graphs=GraphRepository(self.repo.table))
        user_id, preset_id = preset["user_id"], preset["id"]
        try:
            graph = runnable_graph(executions.graphs, user_id, preset["graph_id"], preset["graph_version"])
            node = trigger_node(graph)
            if node is None:
                raise NotFoundError(f"Graph #{graph.id} has no webhook trigger node")
            trigger_inputs = {k: v for k, v in unpack(preset["inputs"]).items() if k != SECRET_TOKEN_INPUT}
            executions.execute(
                user_id,
                graph.id,
                graph.version,
                {},
                credentials_inputs=unpack(preset["credentials"]) or None,
                preset_id=preset_id,
                nodes_input_masks={node.id: {**trigger_inputs, "payload": payload}},
            )
        except (NotFoundError, NotAuthorizedError) as exc:
            logger.warning("webhook %s: preset %s deactivated: %s", webhook["id"], preset_id, exc)
            LibraryRepository(self.repo.table).update_preset(user_id, preset_id, {"is_active": False})
            return 0
        except Exception:
            logger.exception("webhook %s: preset %s could not start a run", webhook["id"], preset_id)
            return 0
        return 1

    def ping(self, user_id: str, webhook_id: str) -> bool:
        webhook = self._owned(webhook_id, user_id=user_id)
        return get_webhook_manager(webhook["provider"]).trigger_ping(webhook)
