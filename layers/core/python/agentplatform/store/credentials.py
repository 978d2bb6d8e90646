"""Stored integration credentials, one item per credential in its owner's partition.

The item holds the non-secret attributes in clear (listings never decrypt) and the
whole credential sealed with envelope encryption (``integrations/crypto.py``). An OAuth
refresh replaces the sealed secret under a lease (``lease_owner``/``lease_until`` on the
same item, taken with a conditional write), so two Lambdas never refresh one credential
at once.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter

from agentplatform.errors import NotFoundError
from agentplatform.integrations.crypto import SealedSecret, open_sealed, seal
from agentplatform.models.credentials import Credentials, public_fields
from agentplatform.store import keys
from agentplatform.store.table import Table, is_condition_failure, loads

_ITEM_TYPE = "credentials"
_LEASE_FREE = "attribute_exists(pk) AND (attribute_not_exists(lease_until) OR lease_until < :now)"
_credentials_adapter: TypeAdapter[Any] = TypeAdapter(Credentials)


def _context(user_id: str, credentials_id: str) -> dict[str, str]:
    return {"user_id": user_id, "credentials_id": credentials_id}


def not_found(credentials_id: str) -> NotFoundError:
    return NotFoundError(f"Credentials #{credentials_id} not found.")


def sealed_attributes(sealed: SealedSecret) -> dict[str, Any]:
    """The item attributes that hold a sealed value."""
    return {
        "key_source": sealed.key_source,
        "wrapped_key": sealed.wrapped_key,
        "nonce": sealed.nonce,
        "ciphertext": sealed.ciphertext,
    }


def sealed_from(item: dict[str, Any]) -> SealedSecret:
    return SealedSecret(
        key_source=str(item["key_source"]),
        wrapped_key=bytes(item["wrapped_key"]),
        nonce=bytes(item["nonce"]),
        ciphertext=bytes(item["ciphertext"]),
    )


def _secret_attributes(user_id: str, creds: Credentials) -> dict[str, Any]:
    plaintext = json.dumps(creds.model_dump(mode="json")).encode()
    return {
        "public": json.dumps(public_fields(creds)),  # a string: nested numbers would become Decimal
        **sealed_attributes(seal(plaintext, _context(user_id, creds.id))),
    }


def _to_item(user_id: str, creds: Credentials) -> dict[str, Any]:
    return {
        "pk": keys.user_pk(user_id),
        "sk": keys.credentials_sk(creds.id),
        "type": _ITEM_TYPE,
        "created_at": datetime.now(UTC).isoformat(),
        **_secret_attributes(user_id, creds),
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

    def get(self, user_id: str, credentials_id: str, *, consistent: bool = False) -> Credentials:
        """The decrypted credential; only the engine and the service ever need this."""
        return self._open(user_id, self._item(user_id, credentials_id, consistent=consistent))

    def _open(self, user_id: str, item: dict[str, Any]) -> Credentials:
        credentials_id = str(item["sk"]).removeprefix(keys.CREDENTIALS_PREFIX)
        plaintext = open_sealed(sealed_from(item), _context(user_id, credentials_id))
        creds: Credentials = _credentials_adapter.validate_python(loads(plaintext))
        return creds

    # -- the refresh lease: one holder at a time may replace a credential's secret

    def try_lease(self, user_id: str, credentials_id: str, owner: str, seconds: float) -> bool:
        """Take the credential's lease unless someone else holds an unexpired one."""
        now = time.time()
        try:
            self.table.update(
                keys.user_pk(user_id),
                keys.credentials_sk(credentials_id),
                "SET lease_owner = :owner, lease_until = :until",
                condition=_LEASE_FREE,
                values={":owner": owner, ":until": int(now + seconds), ":now": int(now)},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def leased_get(self, user_id: str, credentials_id: str) -> tuple[Credentials | None, bool]:
        """A consistent read: (credential, whether an unexpired lease is held on it).

        The credential is None while leased: its holder is about to replace it."""
        item = self._item(user_id, credentials_id, consistent=True)
        if int(item.get("lease_until") or 0) >= time.time():
            return None, True
        return self._open(user_id, item), False

    def replace_leased(self, user_id: str, creds: Credentials, owner: str) -> bool:
        """Store a new secret for ``creds.id`` and drop the lease, if ``owner`` still holds it."""
        attributes = _secret_attributes(user_id, creds)
        names = {f"#{name}": name for name in attributes}
        values: dict[str, Any] = {f":{name}": value for name, value in attributes.items()}
        assignments = ", ".join(f"#{name} = :{name}" for name in attributes)
        try:
            self.table.update(
                keys.user_pk(user_id),
                keys.credentials_sk(creds.id),
                f"SET {assignments} REMOVE lease_owner, lease_until",
                condition="lease_owner = :owner",
                names=names,
                values={**values, ":owner": owner},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def release_lease(self, user_id: str, credentials_id: str, owner: str) -> None:
        try:
            self.table.update(
                keys.user_pk(user_id),
                keys.credentials_sk(credentials_id),
                "REMOVE lease_owner, lease_until",
                condition="lease_owner = :owner",
                values={":owner": owner},
            )
        except Exception as exc:
            if not is_condition_failure(exc):
                raise

    def delete(self, user_id: str, credentials_id: str) -> None:
        try:
            self.table.delete(
                keys.user_pk(user_id), keys.credentials_sk(credentials_id), condition="attribute_exists(pk)"
            )
        except Exception as exc:
            if is_condition_failure(exc):
                raise not_found(credentials_id) from None
            raise

    def _item(self, user_id: str, credentials_id: str, *, consistent: bool = False) -> dict[str, Any]:
        item = self.table.get(
            keys.user_pk(user_id), keys.credentials_sk(credentials_id), consistent=consistent
        )
        if item is None or item.get("type") != _ITEM_TYPE:
            raise not_found(credentials_id)
        return item
