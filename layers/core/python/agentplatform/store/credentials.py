"""Stored integration credentials, one item per credential in its owner's partition.

The item holds the non-secret attributes in clear (listings never decrypt) and the
whole credential sealed with envelope encryption (``integrations/crypto.py``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter

from agentplatform.errors import NotFoundError
from agentplatform.integrations.crypto import SealedSecret, open_sealed, seal
from agentplatform.models.credentials import Credentials, public_fields
from agentplatform.store import keys
from agentplatform.store.table import Table, loads

_ITEM_TYPE = "credentials"
_credentials_adapter: TypeAdapter[Any] = TypeAdapter(Credentials)


def _context(user_id: str, credentials_id: str) -> dict[str, str]:
    return {"user_id": user_id, "credentials_id": credentials_id}


def not_found(credentials_id: str) -> NotFoundError:
    return NotFoundError(f"Credentials #{credentials_id} not found.")


def _to_item(user_id: str, creds: Credentials) -> dict[str, Any]:
    plaintext = json.dumps(creds.model_dump(mode="json")).encode()
    sealed = seal(plaintext, _context(user_id, creds.id))
    return {
        "pk": keys.user_pk(user_id),
        "sk": keys.credentials_sk(creds.id),
        "type": _ITEM_TYPE,
        "public": json.dumps(public_fields(creds)),  # a string: nested numbers would become Decimal
        "created_at": datetime.now(UTC).isoformat(),
        "key_source": sealed.key_source,
        "wrapped_key": sealed.wrapped_key,
        "nonce": sealed.nonce,
        "ciphertext": sealed.ciphertext,
    }


class CredentialsRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def create(self, user_id: str, creds: Credentials) -> None:
        self.table.put(_to_item(user_id, creds), condition="attribute_not_exists(pk)")

    def list_public(self, user_id: str) -> list[dict[str, Any]]:
        """Non-secret attributes of every credential the user owns, oldest first."""
        items = self.table.query(keys.user_pk(user_id), prefix=keys.CREDENTIALS_PREFIX)
        ordered = sorted(items, key=lambda item: str(item.get("created_at", "")))
        return [loads(item["public"]) for item in ordered]

    def get_public(self, user_id: str, credentials_id: str) -> dict[str, Any]:
        public: dict[str, Any] = loads(self._item(user_id, credentials_id)["public"])
        return public

    def get(self, user_id: str, credentials_id: str) -> Credentials:
        """The decrypted credential; only the engine and the service ever need this."""
        item = self._item(user_id, credentials_id)
        sealed = SealedSecret(
            key_source=str(item["key_source"]),
            wrapped_key=bytes(item["wrapped_key"]),
            nonce=bytes(item["nonce"]),
            ciphertext=bytes(item["ciphertext"]),
        )
        plaintext = open_sealed(sealed, _context(user_id, credentials_id))
        creds: Credentials = _credentials_adapter.validate_python(loads(plaintext))
        return creds

    def delete(self, user_id: str, credentials_id: str) -> None:
        from agentplatform.store.table import is_condition_failure

        try:
            self.table.delete(
                keys.user_pk(user_id), keys.credentials_sk(credentials_id), condition="attribute_exists(pk)"
            )
        except Exception as exc:
            if is_condition_failure(exc):
                raise not_found(credentials_id) from None
            raise

    def _item(self, user_id: str, credentials_id: str) -> dict[str, Any]:
        item = self.table.get(keys.user_pk(user_id), keys.credentials_sk(credentials_id))
        if item is None or item.get("type") != _ITEM_TYPE:
            raise not_found(credentials_id)
        return item
