"""The events Lambda's record handler: stream records in order, one event each.

Lambda resumes a stream from the first record reported failed, redelivering every
record after it too. So once one record fails, the rest of the batch fails fast:
processing them now would only publish them ahead of the one that failed.

A record that cannot be decoded into an event at all would fail the same way on
every retry, holding up the run's later events until the record ages out. It is
skipped and reported instead (an error log with its stream position); only delivery
failures, which a retry can cure, fail the batch.
"""

from __future__ import annotations

import logging
from typing import Any

from agentplatform.events.build import ExecutionChange, change_from_record
from agentplatform.events.fanout import Fanout
from agentplatform.events.observe import observe_record

logger = logging.getLogger(__name__)


class SkippedAfterFailure(Exception):
    """An earlier record of this batch failed; this one waits for the retry."""


class StreamBatch:
    def __init__(self, fanout: Fanout | None = None):
        self._fanout = fanout
        self.failed = False
        self.undecodable: list[str] = []  # stream positions of the records skipped

    @property
    def fanout(self) -> Fanout:
        if self._fanout is None:
            self._fanout = Fanout()
        return self._fanout

    def handle(self, record: Any) -> None:
        """Powertools' record handler (the parameter must be named ``record``)."""
        if self.failed:
            raise SkippedAfterFailure()
        raw: dict[str, Any] = getattr(record, "raw_event", record)
        position = str(raw["dynamodb"]["SequenceNumber"])
        change = self._decode(raw, position)
        if change is None:
            return
        try:
            self.fanout.publish(change, position)
        except Exception:
            self.failed = True
            raise
        observe_record(raw)  # once delivered: a retried batch would count it again

    def _decode(self, raw: dict[str, Any], position: str) -> ExecutionChange | None:
        try:
            return change_from_record(raw)
        except Exception as exc:
            self.undecodable.append(position)
            # The type only: the message may quote the record's data.
            logger.error("Skipped stream record %s: it cannot be decoded (%s)", position, type(exc).__name__)
            return None
