"""``API_KEY_RATE_LIMIT_PER_MINUTE``: 429 with ``Retry-After`` past the limit, per key, for
every Lambda together; a new window starts afresh."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from agentplatform.auth.rate_limit import RateLimiter
from agentplatform.config import get_settings
from agentplatform.store.rate_limits import RateLimitRepository
from tests.support.external import create_api_key, key_client

LIMIT = 3
WINDOW_START = 1_800_000_000  # a minute boundary


@pytest.fixture
def limited(monkeypatch, clock):
    monkeypatch.setenv("API_KEY_RATE_LIMIT_PER_MINUTE", str(LIMIT))
    get_settings.cache_clear()
    clock.now = WINDOW_START + 10
    yield clock
    get_settings.cache_clear()


def test_past_the_limit_answers_429_with_retry_after_until_the_next_window(api, limited):
    key, _ = create_api_key(api, ["IDENTITY"])
    client = key_client(key)

    assert [client.get("/external-api/v1/me").status_code for _ in range(LIMIT)] == [200] * LIMIT
    refused = client.get("/external-api/v1/me")

    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "50"
    assert refused.json() == {"detail": f"Rate limit exceeded: {LIMIT} requests per minute. Retry in 50 s."}

    limited.advance(49)
    assert client.get("/external-api/v1/me").status_code == 429
    assert client.get("/external-api/v1/me").headers["retry-after"] == "1"
    limited.advance(1)  # the next window
    assert client.get("/external-api/v1/me").status_code == 200


def test_each_key_has_its_own_budget(api, limited):
    first, _ = create_api_key(api, ["IDENTITY"])
    second, _ = create_api_key(api, ["IDENTITY"])
    for _ in range(LIMIT):
        key_client(first).get("/external-api/v1/me")

    assert key_client(first).get("/external-api/v1/me").status_code == 429
    assert key_client(second).get("/external-api/v1/me").status_code == 200


def test_unauthenticated_requests_are_refused_before_counting(api, limited):
    key, _ = create_api_key(api, ["IDENTITY"])
    for _ in range(LIMIT + 2):
        assert key_client("agpt_" + "y" * 43).get("/external-api/v1/me").status_code == 401

    assert key_client(key).get("/external-api/v1/me").status_code == 200


def test_the_limit_holds_across_concurrent_lambdas(cloud):
    """Many Lambdas (each its own limiter) counting one key at once admit exactly LIMIT."""
    lambdas = [RateLimiter(RateLimitRepository(), clock=lambda: WINDOW_START + 5.0) for _ in range(12)]

    def attempt(limiter: RateLimiter) -> bool:
        try:
            limiter.check("apikey#shared", LIMIT)
        except Exception:
            return False
        return True

    with ThreadPoolExecutor(max_workers=12) as pool:
        admitted = list(pool.map(attempt, lambdas))

    assert admitted.count(True) == LIMIT


def test_off_when_unset(api, clock):
    assert get_settings().api_key_rate_limit_per_minute is None
    key, _ = create_api_key(api, ["IDENTITY"])

    assert {key_client(key).get("/external-api/v1/me").status_code for _ in range(LIMIT + 3)} == {200}
