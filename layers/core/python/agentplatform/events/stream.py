"""The events Lambda's record handler: stream records in order, one event each.

Lambda resumes a stream from the first record reported failed, redelivering every
record after it too. So once one record fails, the rest of the batch fails fast:
processing them now would only publish them ahead of the one that failed.
"""

from __future__ import annotations

from typing import Any

from agentplatform.events.build import change_from_record
from agentplatform.events.fanout import Fanout
from agentplatform.events.observe import observe_record


class SkippedAfterFailure(Exception):
    """An earlier record of this batch failed; this one waits for the retry."""


class StreamBatch:
    def __init__(self, fanout: Fanout | None = None):
        self._fanout = fanout
        self.failed = False

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
        try:
            change = change_from_record(raw)
            if change is not None:
                self.fanout.publish(change, raw["dynamodb"]["SequenceNumber"])
        except Exception:
            self.failed = True
            raise
        observe_record(raw)  # once delivered: a retried batch would count it again
