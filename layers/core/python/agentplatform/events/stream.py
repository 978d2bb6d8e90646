"""The events Lambda's batch handler: a table stream batch published at once.

Lambda resumes a stream from the first record reported failed and redelivers every
record after it too. So the response names every record from the first failure on (a
run whose events could not be numbered, an event some subscriber could not be sent
for a retryable reason): those after it would only be published out of order now.
Records before it are done. When that is every record, the invocation fails instead
(as Powertools' batch processor does), so that Lambda retries it whole.

A record that cannot be decoded into an event at all would fail the same way on
every retry, holding up the run's later events until the record ages out. It is
skipped and reported instead (an error log with its stream position); only failures
a retry can cure fail the batch.
"""

from __future__ import annotations

import logging
from typing import Any

from agentplatform.events.build import ExecutionChange, change_from_record
from agentplatform.events.fanout import Fanout
from agentplatform.events.observe import observe_record

logger = logging.getLogger(__name__)


class BatchFailed(Exception):
    """No record of the batch could be published."""


class StreamBatch:
    def __init__(self, fanout: Fanout | None = None):
        self._fanout = fanout
        self.undecodable: list[str] = []  # stream positions of the records skipped

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
        for index, record in enumerate(records):
            position = str(record["dynamodb"]["SequenceNumber"])
            change = self._decode(record, position)
            if change is not None:
                changes.append((change, position))
                owners.append(index)
        failed_from = len(records)
        if changes:
            published = self.fanout.publish_batch(changes)
            if published.failed_from is not None:
                failed_from = owners[published.failed_from]
        for record_index in owners:
            if record_index < failed_from:
                observe_record(records[record_index])  # delivered: a retried one would count twice
        if records and failed_from == 0:
            raise BatchFailed(f"all {len(records)} records failed")
        return {
            "batchItemFailures": [
                {"itemIdentifier": str(r["dynamodb"]["SequenceNumber"])} for r in records[failed_from:]
            ]
        }

    def _decode(self, raw: dict[str, Any], position: str) -> ExecutionChange | None:
        try:
            return change_from_record(raw)
        except Exception as exc:
            self.undecodable.append(position)
            # The type only: the message may quote the record's data.
            logger.error("Skipped stream record %s: it cannot be decoded (%s)", position, type(exc).__name__)
            return None
