"""The events Lambda's batch handler: a table stream batch published at once.

Lambda resumes a stream from the first record reported failed and redelivers every
record after it too. So the response names every record from the first failure on (a
record that cannot be read, a run whose events could not be numbered, an event some
subscriber could not be sent for a retryable reason): those after it would only be
published out of order now. Records before it are done. When that is every record,
the invocation fails instead (as Powertools' batch processor does), so that Lambda's
bisection can isolate a poison record rather than retry the whole batch until it is
parked with it.
"""

from __future__ import annotations

import logging
from typing import Any

from agentplatform.events.build import ExecutionChange, change_from_record
from agentplatform.events.fanout import Fanout

logger = logging.getLogger(__name__)


class BatchFailed(Exception):
    """No record of the batch could be published."""


class StreamBatch:
    def __init__(self, fanout: Fanout | None = None):
        self._fanout = fanout

    @property
    def fanout(self) -> Fanout:
        if self._fanout is None:
            self._fanout = Fanout()
        return self._fanout

    def process(self, records: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
        """Publish the events of ``records`` (Lambda's stream event shape); returns the
        partial batch response."""
        changes: list[tuple[ExecutionChange, str]] = []
        owners: list[int] = []  # the record each change comes from
        failed_from = len(records)
        for index, record in enumerate(records):
            position = str(record["dynamodb"]["SequenceNumber"])
            try:
                change = change_from_record(record)
            except Exception as exc:  # a poison record: Lambda bisects, retries, then parks it
                logger.error("stream record %s unreadable: %s", position, type(exc).__name__)
                failed_from = index
                break
            if change is not None:
                changes.append((change, position))
                owners.append(index)
        if changes:
            published = self.fanout.publish_batch(changes)
            if published.failed_from is not None:
                failed_from = min(failed_from, owners[published.failed_from])
        if records and failed_from == 0:
            raise BatchFailed(f"all {len(records)} records failed")
        return {
            "batchItemFailures": [
                {"itemIdentifier": str(r["dynamodb"]["SequenceNumber"])} for r in records[failed_from:]
            ]
        }
