"""The run reconciler on a timer, as the EventBridge rule runs it in AWS.

``make dev`` starts one: every ``RECONCILE_INTERVAL_SECONDS`` (default 60) it invokes
the ``graph_run.reconcile`` handler in-process, which ends runs whose state machine
execution is gone and starts runs waiting for a slot.
"""

from __future__ import annotations

import logging
import os
import threading

from local.lambdas import invoke

logger = logging.getLogger("local.reconciler")

DEFAULT_INTERVAL_SECONDS = 60.0


class ReconcilerTimer:
    def __init__(self, interval_seconds: float | None = None):
        configured = os.environ.get("RECONCILE_INTERVAL_SECONDS")
        self.interval = interval_seconds or float(configured or DEFAULT_INTERVAL_SECONDS)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="reconciler", daemon=True)

    def start(self) -> ReconcilerTimer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=30)

    def run_once(self) -> dict[str, object]:
        from functions.graph_run.reconcile import handler

        result: dict[str, object] = invoke(handler, {"source": "local.reconciler"}, function_name="reconcile")
        return result

    def _loop(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                report = self.run_once()
                if report.get("ended"):
                    logger.info("reconciler ended %s", report["ended"])
            except Exception:
                logger.exception("reconciler failed")
