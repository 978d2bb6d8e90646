"""Webhook tests start runs: keep the local state machine's Wait/Retry tiny."""

from __future__ import annotations

import os

os.environ.setdefault("GRAPH_RUN_RETRY_INTERVAL", "1")
os.environ.setdefault("GRAPH_RUN_POLL_SECONDS", "1")
os.environ.setdefault("GRAPH_RUN_MAX_CONCURRENCY", "4")
