"""Addresses the platform must not mail any more: hard bounces and complaints.

Keyed by the SHA-256 of the lower-cased address, so the table never holds an address
in a key and the check before each send is one GetItem. A user who changes their
address (``POST /api/auth/user/email``) is mailed again at the new one.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from agentplatform.store import keys
from agentplatform.store.table import Table


def address_digest(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


class SuppressionList:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def suppress(self, address: str, reason: str) -> None:
        self.table.put(
            {
                "pk": keys.email_suppression_pk(address_digest(address)),
                "sk": keys.EMAIL_SUPPRESSION_SK,
                "type": "email_suppression",
                "reason": reason,
                "suppressed_at": datetime.now(UTC).isoformat(),
            }
        )

    def is_suppressed(self, address: str) -> bool:
        item = self.table.get(keys.email_suppression_pk(address_digest(address)), keys.EMAIL_SUPPRESSION_SK)
        return item is not None
