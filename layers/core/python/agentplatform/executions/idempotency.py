"""``Idempotency-Key`` for the execute routes: a retried request returns the first run.

The first request with a key claims it with a conditional put that records a fingerprint
of the request and a freshly minted run id, then starts the run under that id. Within
``WINDOW_SECONDS`` (24 h):

- the same key with the same request returns the first run (``replay``), not a new one;
- the same key with a different request answers 422;
- a concurrent identical request waits for the first one to finish starting its run
  (up to ``wait_seconds``, then 409) and returns the same run: only one claim can win.

A request that fails releases its claim, so a corrected retry may reuse the key. Keys are
per user; a record expires through the table's TTL.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from agentplatform.errors import IdempotencyKeyInProgressError, IdempotencyKeyReusedError
from agentplatform.store.idempotency import IdempotencyRepository

T = TypeVar("T")

WINDOW_SECONDS = 24 * 3600
HEADER = "Idempotency-Key"
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as header values allow
_POLL_SECONDS = 0.1


def fingerprint(request: Mapping[str, Any]) -> str:
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotentRuns:
    def __init__(
        self,
        repo: IdempotencyRepository | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        wait_seconds: float = 10.0,
    ):
        self.repo = repo or IdempotencyRepository()
        self.clock, self.sleep, self.wait_seconds = clock, sleep, wait_seconds

    def run(
        self,
        user_id: str,
        key: str | None,
        request: Mapping[str, Any],
        start: Callable[[str], T],
        replay: Callable[[str], T],
    ) -> T:
        """``start(run_id)`` once per key and request; ``replay(run_id)`` for repeats."""
        if key is None:
            return start(str(uuid.uuid4()))
        if not _KEY_PATTERN.match(key):
            raise ValueError(f"{HEADER} must be 1 to 255 visible ASCII characters")
        request_hash = fingerprint(request)
        deadline = self.clock() + self.wait_seconds
        while True:
            now = int(self.clock())
            record = {
                "claim": str(uuid.uuid4()),
                "fingerprint": request_hash,
                "run_id": str(uuid.uuid4()),
                "state": "STARTING",
                "expires_at": now + WINDOW_SECONDS,
                "ttl": now + WINDOW_SECONDS,
            }
            if self.repo.claim(user_id, key, record, now):
                return self._start(user_id, key, record, start)
            current = self.repo.get(user_id, key)
            if current is not None and current["expires_at"] > now:
                if current["fingerprint"] != request_hash:
                    raise IdempotencyKeyReusedError(
                        f"{HEADER} {key!r} was already used with a different request"
                    )
                if current["state"] == "DONE":
                    return replay(current["run_id"])
            if self.clock() >= deadline:
                raise IdempotencyKeyInProgressError(
                    f"A request with {HEADER} {key!r} is still in progress; retry later"
                )
            self.sleep(_POLL_SECONDS)

    def _start(self, user_id: str, key: str, record: dict[str, Any], start: Callable[[str], T]) -> T:
        try:
            result = start(record["run_id"])
        except BaseException:
            self.repo.release(user_id, key, record["claim"])
            raise
        self.repo.finish(user_id, key, record["claim"])
        return result
