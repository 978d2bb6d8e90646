"""Review tests run graphs: moto's interpreter really sleeps, so keep Wait/Retry tiny."""

from __future__ import annotations

import os

os.environ.setdefault("GRAPH_RUN_RETRY_INTERVAL", "1")
os.environ.setdefault("GRAPH_RUN_POLL_SECONDS", "1")
os.environ.setdefault("GRAPH_RUN_MAX_CONCURRENCY", "4")
