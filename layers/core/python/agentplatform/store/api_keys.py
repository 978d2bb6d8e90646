"""API keys: one item per key in its owner's partition, found by its lookup prefix via GSI1.

Only the salted Scrypt hash of a key is stored, never the key. Status changes and
permission updates are conditional on the item existing in the caller's partition, so
another user's key id is a 404 without a read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agentplatform.errors import NotFoundError
from agentplatform.models.api_keys import APIKeyInfo, APIKeyPermission, APIKeyStatus
from agentplatform.store import keys
from agentplatform.store.table import Table, is_condition_failure

_ITEM_TYPE = "api_key"
_INFO_FIELDS = tuple(APIKeyInfo.model_fields)


def not_found(key_id: str) -> NotFoundError:
    return NotFoundError(f"API key #{key_id} not found")


def _now() -> str:
    return datetime.now(UTC).isoformat()


def key_info(item: dict[str, Any]) -> APIKeyInfo:
    return APIKeyInfo.model_validate({name: item.get(name) for name in _INFO_FIELDS if name in item})


class ApiKeyRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def create(
        self,
        user_id: str,
        key_id: str,
        secret: dict[str, str],
        name: str,
        permissions: list[APIKeyPermission],
        description: str | None,
    ) -> APIKeyInfo:
        """``secret``: the key's ``head``, ``tail``, ``lookup`` prefix, ``hash`` and ``salt``."""
        item = {
            "pk": keys.user_pk(user_id),
            "sk": keys.api_key_sk(key_id),
            "type": _ITEM_TYPE,
            "id": key_id,
            "user_id": user_id,
            "name": name,
            "description": description,
            "head": secret["head"],
            "tail": secret["tail"],
            "hash": secret["hash"],
            "salt": secret["salt"],
            "scopes": [str(p) for p in permissions],
            "status": str(APIKeyStatus.ACTIVE),
            "created_at": _now(),
            "gsi1pk": keys.api_key_lookup_gsi1pk(secret["lookup"]),
            "gsi1sk": keys.api_key_sk(key_id),
        }
        self.table.put(item, condition="attribute_not_exists(pk)")
        return key_info(item)

    def list_of(self, user_id: str) -> list[APIKeyInfo]:
        """Every key of the user, newest first (one query)."""
        items = self.table.query(keys.user_pk(user_id), prefix=keys.API_KEY_PREFIX)
        return [key_info(item) for item in sorted(items, key=lambda i: i["created_at"], reverse=True)]

    def get_item(self, user_id: str, key_id: str) -> dict[str, Any] | None:
        return self.table.get(keys.user_pk(user_id), keys.api_key_sk(key_id))

    def get(self, user_id: str, key_id: str) -> APIKeyInfo:
        item = self.get_item(user_id, key_id)
        if item is None:
            raise not_found(key_id)
        return key_info(item)

    def candidates(self, lookup: str) -> list[dict[str, Any]]:
        """Keys whose lookup prefix is ``lookup``: one GSI query, usually one item."""
        return list(self.table.query(keys.api_key_lookup_gsi1pk(lookup), index="gsi1"))

    def set_status(self, user_id: str, key_id: str, status: APIKeyStatus) -> APIKeyInfo:
        """Revoking is final: a revoked key stays revoked whatever is asked later."""
        fields: dict[str, Any] = {"status": str(status)}
        if status == APIKeyStatus.REVOKED:
            fields["revoked_at"] = _now()
        return self._set(user_id, key_id, fields)

    def set_permissions(self, user_id: str, key_id: str, permissions: list[APIKeyPermission]) -> APIKeyInfo:
        return self._set(user_id, key_id, {"scopes": [str(p) for p in permissions]})

    def _set(self, user_id: str, key_id: str, fields: dict[str, Any]) -> APIKeyInfo:
        try:
            item = self.table.update(
                keys.user_pk(user_id),
                keys.api_key_sk(key_id),
                "SET " + ", ".join(f"#{name} = :{name}" for name in fields),
                condition="attribute_exists(pk) AND #status <> :revoked",
                names={"#status": "status", **{f"#{name}": name for name in fields}},
                values={":revoked": str(APIKeyStatus.REVOKED), **{f":{n}": v for n, v in fields.items()}},
            )
        except Exception as exc:
            if not is_condition_failure(exc):
                raise
            return self.get(user_id, key_id)  # missing (404), or revoked and left as it is
        return key_info(item)

    def touch(self, user_id: str, key_id: str, used_at: str, unless_since: str) -> None:
        """Record a use, unless another request did since ``unless_since`` (ISO time)."""
        try:
            self.table.update(
                keys.user_pk(user_id),
                keys.api_key_sk(key_id),
                "SET last_used_at = :used",
                condition="attribute_exists(pk) AND "
                "(attribute_not_exists(last_used_at) OR last_used_at < :since)",
                values={":used": used_at, ":since": unless_since},
            )
        except Exception as exc:
            if not is_condition_failure(exc):
                raise
