"""Graph runs of the third-party service blocks against loopback stubs of the services."""

from __future__ import annotations

import os

from tests.support.credentials import kms_key
from tests.support.llm_stub import llm_stub

# moto's state machine really sleeps: keep Wait/Retry tiny (as tests/engine does).
os.environ.setdefault("GRAPH_RUN_RETRY_INTERVAL", "1")
os.environ.setdefault("GRAPH_RUN_POLL_SECONDS", "1")
os.environ.setdefault("GRAPH_RUN_MAX_CONCURRENCY", "4")

__all__ = ["kms_key", "llm_stub"]
