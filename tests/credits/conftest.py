"""Credits tests: the credit system switched on (it is off by default), a Stripe stub."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("GRAPH_RUN_RETRY_INTERVAL", "1")
os.environ.setdefault("GRAPH_RUN_POLL_SECONDS", "1")
os.environ.setdefault("GRAPH_RUN_MAX_CONCURRENCY", "4")


def _reset() -> None:
    from agentplatform.config import get_settings
    from agentplatform.credits import stripe_api
    from agentplatform.engine import charging

    get_settings.cache_clear()
    stripe_api._client.cache_clear()
    charging._snapshots.clear()


@pytest.fixture
def credits_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ENABLE_CREDIT", "true")
    _reset()
    yield
    _reset()


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch, credits_on: None):
    """Set more settings for one test: ``settings_env(NAME="value", ...)``."""

    def apply(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        _reset()

    return apply


@pytest.fixture
def stripe(monkeypatch: pytest.MonkeyPatch, credits_on: None):
    from tests.support.stripe_stub import API_KEY, WEBHOOK_SECRET, stripe_stub

    with stripe_stub() as stub:
        monkeypatch.setenv("STRIPE_API_KEY", API_KEY)
        monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
        monkeypatch.setenv("OUTBOUND_HOST_OVERRIDES", f"api.stripe.com={stub.server.base_url}")
        _reset()
        yield stub


@pytest.fixture
def priced(monkeypatch: pytest.MonkeyPatch):
    """StoreValue costs 7 credits when its input is "paid", 2 when it is "cheap"."""
    from agentplatform.blocks.block import BlockCost
    from agentplatform.blocks.registry import get_block
    from tests.support.graphs import STORE_VALUE

    block = get_block(STORE_VALUE)
    monkeypatch.setattr(
        block,
        "costs",
        [BlockCost(cost_amount=7, cost_filter={"input": "paid"}), BlockCost(2, {"input": "cheap"})],
    )
    return block
