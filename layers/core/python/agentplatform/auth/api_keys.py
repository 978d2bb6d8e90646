"""Checking a presented API key, paying Scrypt once per key per warm Lambda.

The first request with a key finds its record by the key's lookup prefix (one GSI
query) and checks the key against the stored salted Scrypt hash (tens of ms). The
verified match is then remembered in memory under the key's SHA-256 digest, so later
requests skip both the query and Scrypt.

Revocation, suspension and permission changes reach a warm Lambda within
``REVALIDATE_SECONDS``: a remembered key older than that is re-read by its primary key
(one GetItem, no Scrypt, since the stored hash it was verified against is unchanged).

``last_used_at`` is written at most once per ``LAST_USED_WRITE_SECONDS`` per key and
Lambda, and the write is conditional, so concurrent Lambdas do not all bump it.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from agentplatform.auth.keysmith import lookup_prefix, verify_secret
from agentplatform.models.api_keys import APIKeyInfo, APIKeyStatus
from agentplatform.store.api_keys import ApiKeyRepository, key_info

REVALIDATE_SECONDS = 10.0
LAST_USED_WRITE_SECONDS = 60.0
MAX_REMEMBERED_KEYS = 1024


@dataclass
class _Verified:
    item: dict[str, Any]
    checked_at: float
    last_used_written_at: float | None = None


class ApiKeyVerifier:
    """One per Lambda process (``verifier()``); ``clock`` (epoch seconds) is injectable."""

    def __init__(self, repo: ApiKeyRepository | None = None, clock: Callable[[], float] = time.time):
        self._repo = repo
        self.clock = clock
        self._verified: OrderedDict[bytes, _Verified] = OrderedDict()

    @property
    def repo(self) -> ApiKeyRepository:
        if self._repo is None:
            self._repo = ApiKeyRepository()
        return self._repo

    def verify(self, presented: str) -> APIKeyInfo | None:
        """The key's record if it is known and ACTIVE, else None."""
        lookup = lookup_prefix(presented)
        if lookup is None:
            return None
        digest = hashlib.sha256(presented.encode()).digest()
        entry = self._remembered(digest)
        if entry is None:
            entry = self._find(presented, lookup)
            if entry is None:
                return None
            self._remember(digest, entry)
        if entry.item.get("status") != APIKeyStatus.ACTIVE:
            return None
        self._touch(entry)
        return key_info(entry.item)

    def _remembered(self, digest: bytes) -> _Verified | None:
        entry = self._verified.get(digest)
        if entry is None:
            return None
        self._verified.move_to_end(digest)
        if self.clock() - entry.checked_at < REVALIDATE_SECONDS:
            return entry
        current = self.repo.get_item(entry.item["user_id"], entry.item["id"])
        if current is None or (current["hash"], current["salt"]) != (entry.item["hash"], entry.item["salt"]):
            del self._verified[digest]  # deleted or re-keyed: verify from scratch
            return None
        entry.item, entry.checked_at = current, self.clock()
        return entry

    def _find(self, presented: str, lookup: str) -> _Verified | None:
        for item in self.repo.candidates(lookup):
            # Only live keys are worth a Scrypt check; a revoked key costs a query, no hash.
            if item.get("status") == APIKeyStatus.ACTIVE and verify_secret(
                presented, item["hash"], item["salt"]
            ):
                return _Verified(item, self.clock())
        return None

    def _remember(self, digest: bytes, entry: _Verified) -> None:
        self._verified[digest] = entry
        while len(self._verified) > MAX_REMEMBERED_KEYS:
            self._verified.popitem(last=False)

    def _touch(self, entry: _Verified) -> None:
        now = self.clock()
        if (
            entry.last_used_written_at is not None
            and now - entry.last_used_written_at < LAST_USED_WRITE_SECONDS
        ):
            return
        entry.last_used_written_at = now
        used = datetime.fromtimestamp(now, UTC)
        since = used - timedelta(seconds=LAST_USED_WRITE_SECONDS)
        self.repo.touch(entry.item["user_id"], entry.item["id"], used.isoformat(), since.isoformat())
        entry.item["last_used_at"] = used.isoformat()


_verifier: ApiKeyVerifier | None = None


def verifier() -> ApiKeyVerifier:
    global _verifier
    if _verifier is None:
        _verifier = ApiKeyVerifier()
    return _verifier
