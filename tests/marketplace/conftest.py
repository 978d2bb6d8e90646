"""Marketplace tests run graphs: keep the local state machine's Wait/Retry tiny."""

from __future__ import annotations

import os

from tests.support.marketplace import fresh_store_index  # noqa: F401  (autouse fixture)

os.environ.setdefault("GRAPH_RUN_RETRY_INTERVAL", "1")
os.environ.setdefault("GRAPH_RUN_POLL_SECONDS", "1")
os.environ.setdefault("GRAPH_RUN_MAX_CONCURRENCY", "4")
