"""The table stream feeding the events Lambda, as Lambda's event source mapping does.

A background thread reads moto's stream with the DynamoDB Streams API (so records
have their real shape), turns each batch into the Lambda event for a DynamoDB
stream source, and runs the handler in-process. It honours ``batchItemFailures``
by resuming from the first failed record. Writers never wait on it: a write only
wakes the thread, so a slow or failing fan-out cannot slow down or break a write.

Unlike Lambda (which retries a failing record until it expires), a record that
keeps failing is skipped after a few attempts, so one bad event cannot stall the
local cloud.
"""

from __future__ import annotations

import base64
import importlib
import logging
import threading
import time
from datetime import datetime
from typing import Any

from agentplatform.aws import client
from local.lambdas import Handler, invoke
from local.moto_fixes import DYNAMODB_LOCK

logger = logging.getLogger("local.streams")

EVENTS_HANDLER = "events.stream.handler"
_IDLE_POLL_SECONDS = 1.0
_BACKOFF_SECONDS = 0.05
# botocore resolves stream ARNs to account-based endpoints, which moto does not route.
_STREAMS_ENDPOINT = "https://streams.dynamodb.us-east-1.amazonaws.com"
_wakers: set[threading.Event] = set()
_hooked = False


def _hook_stream_writes() -> None:
    """Wake pollers whenever moto appends a stream record (idempotent)."""
    global _hooked
    if _hooked:
        return
    from moto.dynamodb.models.table import StreamShard

    original = StreamShard.add

    def add(self: Any, old: Any, new: Any) -> None:
        original(self, old, new)
        for waker in list(_wakers):
            waker.set()

    StreamShard.add = add  # type: ignore[method-assign]
    _hooked = True


def _encode_binary(attr: Any) -> Any:
    """boto3 decodes binary attributes; the Lambda event carries them base64 encoded."""
    if isinstance(attr, dict):
        if set(attr) == {"B"}:
            return {"B": base64.b64encode(attr["B"]).decode()}
        if set(attr) == {"BS"}:
            return {"BS": [base64.b64encode(v).decode() for v in attr["BS"]]}
        return {k: _encode_binary(v) for k, v in attr.items()}
    if isinstance(attr, list):
        return [_encode_binary(v) for v in attr]
    return attr


def lambda_record(record: dict[str, Any], stream_arn: str, region: str = "us-east-1") -> dict[str, Any]:
    """A ``GetRecords`` record as Lambda delivers it to a stream-triggered function."""
    stream = dict(record["dynamodb"])
    created = stream.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        stream["ApproximateCreationDateTime"] = int(created.timestamp())
    for name in ("Keys", "NewImage", "OldImage"):
        if name in stream:
            stream[name] = _encode_binary(stream[name])
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.get("awsRegion", region),
        "dynamodb": stream,
        "eventSourceARN": stream_arn,
    }


def _streams() -> Any:
    return client("dynamodbstreams", _STREAMS_ENDPOINT)


def _load(handler: str) -> Handler:
    module_path, _, attr = handler.rpartition(".")
    loaded: Handler = getattr(importlib.import_module(f"functions.{module_path}"), attr)
    return loaded


class StreamReader:
    """Reads the table's stream from a position with the DynamoDB Streams API.

    It asks for a fresh iterator at its own position on every read: a failed moto
    transaction rolls the table back by swapping in a copy, and an iterator handed out
    before that keeps reading the discarded copy's stream.
    """

    def __init__(self, table_name: str):
        self.stream_arn = client("dynamodb").describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        description = _streams().describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        self.shard_id = str(description["Shards"][0]["ShardId"])
        self._next: int | None = None

    def _iterator(self, kind: str, sequence_number: int | None = None) -> str:
        kwargs: dict[str, Any] = {
            "StreamArn": self.stream_arn,
            "ShardId": self.shard_id,
            "ShardIteratorType": kind,
        }
        if sequence_number is not None:
            kwargs["SequenceNumber"] = str(sequence_number)
        return str(_streams().get_shard_iterator(**kwargs)["ShardIterator"])

    def seek_latest(self) -> StreamReader:
        """Start at the tip: only records written from now on are read."""
        with DYNAMODB_LOCK:
            iterator = self._iterator("LATEST")
        self._next = _iterator_position(iterator)
        _forget_iterator(iterator)
        return self

    def read(self, limit: int = 100) -> list[dict[str, Any]]:
        """The next records (``GetRecords`` shape), at most ``limit``."""
        assert self._next is not None, "seek first"
        # Under moto's DynamoDB lock: never read a record a failing transaction will undo.
        with DYNAMODB_LOCK:
            iterator = self._iterator("AT_SEQUENCE_NUMBER", self._next)
            resp = _streams().get_records(ShardIterator=iterator, Limit=limit)
        _forget_iterator(iterator)
        _forget_iterator(resp.get("NextShardIterator") or "")
        records = list(resp.get("Records", []))
        if records:
            self._next = int(records[-1]["dynamodb"]["SequenceNumber"]) + 1
        return records

    def lambda_event(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        return {"Records": [lambda_record(r, self.stream_arn) for r in records]}


class StreamPoller:
    def __init__(
        self,
        table_name: str,
        handler: str = EVENTS_HANDLER,
        *,
        batch_size: int = 100,
        max_attempts: int = 4,
        function_name: str = "EventsStreamFunction",
    ):
        self.table_name = table_name
        self.handler = handler
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.function_name = function_name
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._reader: StreamReader | None = None

    def start(self) -> StreamPoller:
        """Begin at the stream's tip: only writes from now on are delivered."""
        _hook_stream_writes()
        self._reader = StreamReader(self.table_name).seek_latest()
        _wakers.add(self._wake)
        self._thread = threading.Thread(target=self._run, name="stream-poller", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        _wakers.discard(self._wake)
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        handler = _load(self.handler)
        while not self._stop.is_set():
            self._wake.wait(_IDLE_POLL_SECONDS)
            self._wake.clear()
            try:
                while not self._stop.is_set() and self._drain_once(handler):
                    pass
            except Exception:  # keep polling: the emulator must outlive any one bad batch
                logger.exception("stream poller error")
                time.sleep(_IDLE_POLL_SECONDS)

    def _drain_once(self, handler: Handler) -> bool:
        """Deliver one batch; False when the stream had nothing new."""
        assert self._reader is not None
        records = self._reader.read(self.batch_size)
        if not records:
            return False
        attempts = 0
        while records:
            failed_from = self._deliver(handler, records)
            if failed_from is None:
                return True
            attempts += 1
            index = next(i for i, r in enumerate(records) if r["dynamodb"]["SequenceNumber"] == failed_from)
            if attempts >= self.max_attempts:
                logger.error("stream record %s failed %d times; skipping it", failed_from, attempts)
                records, attempts = records[index + 1 :], 0
            else:
                records = records[index:]
                time.sleep(_BACKOFF_SECONDS * 2**attempts)
        return True

    def _deliver(self, handler: Handler, records: list[dict[str, Any]]) -> str | None:
        """Run the handler on ``records``; the sequence number to resume from, if any failed."""
        assert self._reader is not None
        try:
            result = invoke(handler, self._reader.lambda_event(records), function_name=self.function_name)
        except Exception:
            logger.exception("events handler failed on a batch of %d", len(records))
            return str(records[0]["dynamodb"]["SequenceNumber"])
        failures = [f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])]
        if not failures:
            return None
        known = [r["dynamodb"]["SequenceNumber"] for r in records]
        return min((f for f in failures if f in known), key=known.index, default=known[0])


def _streams_backend() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    return dynamodbstreams_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]


def _iterator_position(iterator: str) -> int:
    """The sequence number an iterator reads next (moto keeps it on the iterator)."""
    return int(_streams_backend().shard_iterators[iterator].sequence_number)


def _forget_iterator(iterator: str) -> None:
    """moto keeps every shard iterator it hands out; drop the ones already used."""
    _streams_backend().shard_iterators.pop(iterator, None)
