"""Pending OAuth logins: one item per state token in its user's partition.

The sort key holds a SHA-256 digest of the token, never the token; the state itself (with
the PKCE verifier) is sealed with the credentials' envelope encryption. Consuming a state
is one conditional delete, so a token works once, only before it expires, only for its
provider, and only for the user it was issued to (another user's partition has no such
item). Expired items are removed by the table's TTL.
"""

from __future__ import annotations

import hashlib
import json
import time

from agentplatform.integrations.crypto import open_sealed, seal
from agentplatform.models.credentials import OAuthState
from agentplatform.store import keys
from agentplatform.store.credentials import sealed_attributes, sealed_from
from agentplatform.store.table import Table, is_condition_failure

_ITEM_TYPE = "oauth_state"
_USABLE = "attribute_exists(pk) AND #type = :type AND provider = :provider AND expires_at > :now"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _context(user_id: str, digest: str) -> dict[str, str]:
    return {"user_id": user_id, "oauth_state": digest}


class OAuthStateRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def create(self, user_id: str, token: str, state: OAuthState) -> None:
        digest = _digest(token)
        sealed = seal(state.model_dump_json().encode(), _context(user_id, digest))
        self.table.put(
            {
                "pk": keys.user_pk(user_id),
                "sk": keys.oauth_state_sk(digest),
                "type": _ITEM_TYPE,
                "provider": state.provider,
                "expires_at": state.expires_at,
                "ttl": state.expires_at,
                **sealed_attributes(sealed),
            },
            condition="attribute_not_exists(pk)",
        )

    def consume(self, user_id: str, token: str, provider: str) -> OAuthState | None:
        """The state, deleted in the same write; None if unknown, used, expired or foreign."""
        digest = _digest(token)
        try:
            item = self.table.delete(
                keys.user_pk(user_id),
                keys.oauth_state_sk(digest),
                condition=_USABLE,
                returning=True,
                names={"#type": "type"},
                values={":type": _ITEM_TYPE, ":provider": provider, ":now": int(time.time())},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return None
            raise
        if item is None:
            return None
        plaintext = open_sealed(sealed_from(item), _context(user_id, digest))
        return OAuthState.model_validate(json.loads(plaintext))
