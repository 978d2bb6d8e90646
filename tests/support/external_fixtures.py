"""Fixtures that put the external API's per-process state on a hand-moved clock."""

from __future__ import annotations

import time

import pytest

from tests.support.external import FakeClock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """A fresh API key verifier and rate limiter, both reading ``clock``."""
    from agentplatform.auth import api_keys, rate_limit

    fake = FakeClock(time.time())
    monkeypatch.setattr(api_keys, "_verifier", api_keys.ApiKeyVerifier(clock=fake))
    monkeypatch.setattr(rate_limit, "_limiter", rate_limit.RateLimiter(clock=fake))
    return fake
