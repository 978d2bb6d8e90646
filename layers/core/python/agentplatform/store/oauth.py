"""The OAuth provider's items: applications, authorization codes, access and refresh tokens.

An application lives in its owner's partition (owner routes cannot address another
user's app) and is found by ``client_id`` through GSI1. Codes and tokens are stored only
as the SHA-256 of their value, which is also their key: a presented token is one GetItem.
Their ``ttl`` lets DynamoDB delete them once expired.
"""

from __future__ import annotations

from typing import Any

from agentplatform.store import keys
from agentplatform.store.table import Table, is_condition_failure

TOKEN_SORT_KEYS = {"access_token": keys.OAUTH_ACCESS_TOKEN_SK, "refresh_token": keys.OAUTH_REFRESH_TOKEN_SK}


class OAuthRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # -- applications

    def create_app(self, owner_id: str, app: dict[str, Any]) -> None:
        item = {
            "pk": keys.user_pk(owner_id),
            "sk": keys.oauth_app_sk(app["id"]),
            "type": "oauth_app",
            "gsi1pk": keys.oauth_client_gsi1pk(app["client_id"]),
            "gsi1sk": keys.OAUTH_CLIENT_GSI1SK,
            **app,
        }
        self.table.put(item, condition="attribute_not_exists(pk)")

    def apps_of(self, owner_id: str) -> list[dict[str, Any]]:
        return list(self.table.query(keys.user_pk(owner_id), prefix=keys.OAUTH_APP_PREFIX))

    def app(self, owner_id: str, app_id: str) -> dict[str, Any] | None:
        return self.table.get(keys.user_pk(owner_id), keys.oauth_app_sk(app_id))

    def app_by_client_id(self, client_id: str) -> dict[str, Any] | None:
        found = list(self.table.query(keys.oauth_client_gsi1pk(client_id), index="gsi1", limit=1))
        return found[0] if found else None

    def update_app(self, owner_id: str, app_id: str, fields: dict[str, Any]) -> dict[str, Any] | None:
        """The updated app, or None when the owner has no such app."""
        try:
            return self.table.update(
                keys.user_pk(owner_id),
                keys.oauth_app_sk(app_id),
                "SET " + ", ".join(f"#{name} = :{name}" for name in fields),
                condition="attribute_exists(pk)",
                names={f"#{name}": name for name in fields},
                values={f":{name}": value for name, value in fields.items()},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return None
            raise

    # -- authorization codes

    def put_code(self, code_hash: str, record: dict[str, Any]) -> None:
        item = {"pk": keys.oauth_code_pk(code_hash), "sk": keys.OAUTH_CODE_SK, "type": "oauth_code", **record}
        self.table.put(item, condition="attribute_not_exists(pk)")

    def code(self, code_hash: str) -> dict[str, Any] | None:
        return self.table.get(keys.oauth_code_pk(code_hash), keys.OAUTH_CODE_SK, consistent=True)

    def use_code(self, code_hash: str, used_at: str) -> bool:
        """Mark the code used; False if another request used it first."""
        try:
            self.table.update(
                keys.oauth_code_pk(code_hash),
                keys.OAUTH_CODE_SK,
                "SET used_at = :used",
                condition="attribute_exists(pk) AND attribute_not_exists(used_at)",
                values={":used": used_at},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    # -- access and refresh tokens

    def put_token(self, kind: str, token_hash: str, record: dict[str, Any]) -> None:
        item = {"pk": keys.oauth_token_pk(token_hash), "sk": TOKEN_SORT_KEYS[kind], "type": "oauth_" + kind}
        self.table.put({**item, **record}, condition="attribute_not_exists(pk)")

    def token(self, kind: str, token_hash: str) -> dict[str, Any] | None:
        return self.table.get(keys.oauth_token_pk(token_hash), TOKEN_SORT_KEYS[kind], consistent=True)

    def revoke_token(self, kind: str, token_hash: str, app_id: str, revoked_at: str) -> dict[str, Any] | None:
        """Revoke a live token of ``app_id``; the revoked token, or None if there was none."""
        try:
            return self.table.update(
                keys.oauth_token_pk(token_hash),
                TOKEN_SORT_KEYS[kind],
                "SET revoked_at = :now",
                condition="attribute_exists(pk) AND application_id = :app "
                "AND attribute_not_exists(revoked_at)",
                values={":now": revoked_at, ":app": app_id},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return None
            raise
