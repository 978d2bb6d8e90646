"""Platform webhooks in the table (layout: docs/data-model.md).

``WEBHOOK#<id>`` / ``WEBHOOK``: the webhook (owner, provider, type, events, signing
secret). Ingress knows only the id, so the webhook is its own partition; the owner's id
on the item is what the ping route checks. A preset bound to a webhook carries
``gsi2pk = WEBHOOK#<id>``, so ingress finds every bound preset with one Query.
"""

from __future__ import annotations

from typing import Any

from agentplatform.store import keys
from agentplatform.store.table import Table, put_op

WEBHOOK_TYPE = "webhook"


def webhook_item(webhook_id: str, user_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "pk": keys.webhook_pk(webhook_id),
        "sk": keys.WEBHOOK_SK,
        "type": WEBHOOK_TYPE,
        "id": webhook_id,
        "user_id": user_id,
        **fields,
    }


def bound_to(webhook_id: str, created_at: str) -> dict[str, str]:
    """The attributes that put a preset on its webhook's list."""
    return {"gsi2pk": keys.webhook_presets_gsi2pk(webhook_id), "gsi2sk": created_at}


def webhook_keys(webhook_id: str) -> tuple[str, str]:
    return keys.webhook_pk(webhook_id), keys.WEBHOOK_SK


class WebhookRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    @staticmethod
    def new_op(item: dict[str, Any]) -> dict[str, Any]:
        return put_op(item, "attribute_not_exists(pk)")

    def get(self, webhook_id: str) -> dict[str, Any] | None:
        return self.table.get(*webhook_keys(webhook_id))

    def delete(self, webhook_id: str) -> None:
        self.table.delete(*webhook_keys(webhook_id))

    def bound_presets(self, webhook_id: str) -> list[dict[str, Any]]:
        """Presets bound to the webhook, deleted ones left out (one Query)."""
        items = self.table.query(keys.webhook_presets_gsi2pk(webhook_id), index="gsi2")
        return [item for item in items if not item.get("is_deleted")]
