"""Per-key request limits for the external API (``API_KEY_RATE_LIMIT_PER_MINUTE``).

A fixed one-minute window counted in DynamoDB (``store/rate_limits.py``), so the limit
holds across every concurrent Lambda; see ADR "api-key-rate-limit" for why not API
Gateway usage plans. ``clock`` is injectable so tests can cross a window boundary.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from agentplatform.store.rate_limits import RateLimitRepository

WINDOW_SECONDS = 60


class RateLimitExceeded(Exception):
    def __init__(self, limit: int, retry_after: int):
        super().__init__(f"Rate limit exceeded: {limit} requests per minute. Retry in {retry_after} s.")
        self.retry_after = retry_after


class RateLimiter:
    def __init__(self, repo: RateLimitRepository | None = None, clock: Callable[[], float] = time.time):
        self._repo = repo
        self.clock = clock

    def check(self, subject: str, limit: int) -> None:
        """Count a request of ``subject``; RateLimitExceeded if its window is full."""
        now = self.clock()
        window_start = int(now // WINDOW_SECONDS * WINDOW_SECONDS)
        if self._repo is None:
            self._repo = RateLimitRepository()
        if not self._repo.take(subject, window_start, limit):
            retry_after = max(1, math.ceil(window_start + WINDOW_SECONDS - now))
            raise RateLimitExceeded(limit, retry_after)


_limiter: RateLimiter | None = None


def limiter() -> RateLimiter:
    global _limiter
    if _limiter is None:
        _limiter = RateLimiter()
    return _limiter
