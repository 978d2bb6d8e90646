"""A stand-in for a stream-triggered Lambda, and items that make stream records."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

# A ceiling on waiting for deliveries, not an assertion on speed.
WAIT_LIMIT_SECONDS = 60.0
PK = "GEXEC#stream-test"


class RecordingHandler:
    """Records the sort keys of every invocation; raises on a ``poison`` record and
    reports each ``fail_once`` record as a batch item failure the first time."""

    def __init__(self, poison: set[str] | None = None, fail_once: set[str] | None = None):
        self.poison = poison or set()
        self.fail_once = fail_once or set()
        self.invocations: list[list[str]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        records = event["Records"]
        names = [r["dynamodb"]["Keys"]["sk"]["S"] for r in records]
        self.invocations.append(names)
        if self.poison & set(names):
            raise RuntimeError("poison record")
        failed = [
            r["dynamodb"]["SequenceNumber"]
            for r, n in zip(records, names, strict=True)
            if n in self.fail_once
        ]
        self.fail_once -= set(names)
        return {"batchItemFailures": [{"itemIdentifier": seq} for seq in failed]}

    def seen(self) -> list[str]:
        return [name for names in self.invocations for name in names]


def put(sk: str, item_type: str = "node_exec") -> None:
    from agentplatform.store.table import Table

    Table().put({"pk": PK, "sk": sk, "type": item_type})


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
