"""The table stream feeding the events Lambda, as Lambda's event source mapping does.

A background thread reads the table's stream with the DynamoDB Streams API
(``DescribeStream``/``GetShardIterator``/``GetRecords``) from whichever engine holds the
table (DynamoDB Local, or moto in-process), following shard lineage: a closed shard is
read to its end before its children. It applies the deployed mapping's settings, read
from the synthesized template: filter criteria, batch size, maximum record age,
``ReportBatchItemFailures`` (resume from the lowest failed sequence number), bisection
on a function error, and a retry limit after which the records are written to a
dead-letter file, as the stack sends them to its on-failure queue.

With a checkpoint file, the position (per shard) is saved after every batch, so a
restart resumes where delivery stopped; a graceful stop finishes the batch in flight
first. Only a process killed mid-batch has that batch delivered again on restart (at
least once, as Lambda), which the events Lambda absorbs: a retried record keeps its
``seq`` (ADR 0003). Without a checkpoint (the volatile moto table) the reader starts at
the stream's tip.

Writers never wait on the reader: it polls like Lambda does (moto's in-process stream
also wakes it on each write), so a slow or failing fan-out cannot slow down a write.
"""

from __future__ import annotations

import base64
import importlib
import json
import logging
import os
import threading
import time
import zlib
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agentplatform.aws import client
from agentplatform.store.schema import PARTITION_KEY
from local.lambdas import Handler, invoke

logger = logging.getLogger("local.streams")

EVENTS_HANDLER = "events.stream.handler"
_IDLE_POLL_SECONDS = 0.25  # Lambda polls each shard four times a second
_BACKOFF_SECONDS = 0.05
_MAX_BACKOFF_SECONDS = 5.0
_FUNCTION_ERROR = -1
_wakers: set[threading.Event] = set()
_hooked = False


def _hook_moto_stream_writes() -> None:
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
        "awsRegion": region,
        "dynamodb": stream,
        "eventSourceARN": stream_arn,
    }


def _streams() -> Any:
    return client("dynamodbstreams")


def _error_code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


# ----------------------------------------------------------------- reading


@dataclass
class Position:
    """Where the reader is: the shards read to their end, and how far into the current
    one (``after``: the last sequence number handed out; None: from the shard's start)."""

    stream_arn: str
    finished: set[str] = field(default_factory=set)
    shard_id: str | None = None
    after: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "stream_arn": self.stream_arn,
            "finished": sorted(self.finished),
            "shard_id": self.shard_id,
            "after": self.after,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Position:
        return cls(str(raw["stream_arn"]), set(raw["finished"]), raw.get("shard_id"), raw.get("after"))


class Checkpoint:
    """A reader's position in a file, replaced atomically and fsynced on every save."""

    def __init__(self, path: Path):
        self.path = path

    def load(self, stream_arn: str) -> Position | None:
        try:
            position = Position.from_json(json.loads(self.path.read_text()))
        except (OSError, ValueError, KeyError):
            return None
        # A table made anew (a reset state dir) has a new stream: the old position is moot.
        return position if position.stream_arn == stream_arn else None

    def save(self, position: Position) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("w") as handle:
            json.dump(position.to_json(), handle)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(self.path)


class StreamReader:
    """Reads the table's stream in order with the DynamoDB Streams API."""

    def __init__(self, table_name: str, position: Position | None = None):
        self.stream_arn = str(
            client("dynamodb").describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        )
        self.position = position or Position(self.stream_arn)
        self._iterator: str | None = None
        self._latest = False  # the current shard starts at its tip, not its first record

    def seek_latest(self) -> StreamReader:
        """Start at the tip: only records written from now on are read."""
        shards = self._shards()
        open_shards = [s for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]]
        self.position.finished = {s["ShardId"] for s in shards if s not in open_shards}
        self.position.shard_id, self.position.after = (
            (open_shards[-1]["ShardId"] if open_shards else None),
            None,
        )
        self._latest, self._iterator = True, None
        self._open_iterator()  # now: records written from here on are read, even before the first read
        return self

    def reopen(self) -> None:
        """Read on from ``position`` with a fresh iterator."""
        self._iterator = None

    def _shards(self) -> list[dict[str, Any]]:
        shards: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn}
        while True:
            description = _streams().describe_stream(**kwargs)["StreamDescription"]
            shards.extend(description.get("Shards", []))
            if not description.get("LastEvaluatedShardId"):
                return shards
            kwargs["ExclusiveStartShardId"] = description["LastEvaluatedShardId"]

    def _next_shard(self) -> str | None:
        """The oldest shard not read to its end whose parent is (or is gone)."""
        shards = self._shards()
        live = {s["ShardId"] for s in shards}
        self.position.finished &= live  # shards past the stream's 24 h retention are gone
        for shard in sorted(shards, key=lambda s: s["ShardId"]):
            parent = shard.get("ParentShardId")
            if shard["ShardId"] not in self.position.finished and (
                parent is None or parent in self.position.finished or parent not in live
            ):
                return str(shard["ShardId"])
        return None

    def _open_iterator(self) -> bool:
        position = self.position
        if position.shard_id is None:
            position.shard_id, position.after, self._latest = self._next_shard(), None, False
            if position.shard_id is None:
                return False
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": position.shard_id}
        if position.after is not None:
            kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=position.after)
        else:
            kwargs["ShardIteratorType"] = "LATEST" if self._latest else "TRIM_HORIZON"
        try:
            self._iterator = str(_streams().get_shard_iterator(**kwargs)["ShardIterator"])
        except Exception as exc:
            if _error_code(exc) == "TrimmedDataAccessException":
                logger.warning("stream records after %s expired (24 h) unread", position.after)
                position.after = None
            elif _error_code(exc) == "ResourceNotFoundException":
                position.shard_id = None  # the shard itself expired
            else:
                raise
            return self._open_iterator()
        return True

    def read(self, limit: int = 100) -> list[dict[str, Any]]:
        """The next records (``GetRecords`` shape), at most ``limit``, all of one shard."""
        while True:
            if self._iterator is None and not self._open_iterator():
                return []
            try:
                response = _streams().get_records(ShardIterator=self._iterator, Limit=limit)
            except Exception as exc:
                if _error_code(exc) not in ("ExpiredIteratorException", "TrimmedDataAccessException"):
                    raise
                self._iterator = None  # reopen from the position
                continue
            records = list(response.get("Records", []))
            self._iterator = response.get("NextShardIterator")
            if records:
                self.position.after = str(records[-1]["dynamodb"]["SequenceNumber"])
            if self._iterator is None:  # a closed shard, read to its end: on to its children
                self.position.finished.add(str(self.position.shard_id))
                self.position.shard_id, self.position.after = None, None
            if records or self._iterator is not None:
                return records

    def lambda_event(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        return {"Records": [lambda_record(r, self.stream_arn) for r in records]}


# ------------------------------------------------------------- the mapping


@dataclass(frozen=True)
class StreamMapping:
    """The settings of an ``AWS::Lambda::EventSourceMapping`` on the table stream."""

    function_name: str
    handler: str
    batch_size: int = 100
    report_item_failures: bool = False
    bisect_on_error: bool = False
    retry_attempts: int = -1  # -1: until the record expires, as in AWS
    max_record_age_seconds: int = -1
    filter_patterns: tuple[str, ...] = ()
    parallelization_factor: int = 1  # concurrent batches per shard, ordered per partition key

    @classmethod
    def from_template(cls, props: dict[str, Any], handler: str) -> StreamMapping:
        return cls(
            function_name=str(props["FunctionName"]),
            handler=handler,
            batch_size=int(props.get("BatchSize", 100)),
            report_item_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
            bisect_on_error=bool(props.get("BisectBatchOnFunctionError", False)),
            retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
            max_record_age_seconds=int(props.get("MaximumRecordAgeInSeconds", -1)),
            filter_patterns=tuple(f["Pattern"] for f in props.get("FilterCriteria", {}).get("Filters", [])),
            parallelization_factor=int(props.get("ParallelizationFactor", 1)),
        )

    def matcher(self) -> Any:
        """Lambda's event filtering, with moto's implementation of EventBridge patterns."""
        from moto.events.models import EventPattern, EventPatternParser

        patterns = [EventPattern(raw, EventPatternParser(raw).parse()) for raw in self.filter_patterns]
        return lambda record: not patterns or any(p.matches_event(record) for p in patterns)


def _load(handler: str) -> Handler:
    module_path, _, attr = handler.rpartition(".")
    loaded: Handler = getattr(importlib.import_module(f"functions.{module_path}"), attr)
    return loaded


class StreamPoller:
    """Lambda's event source mapping for one function on the table stream."""

    def __init__(
        self,
        table_name: str,
        mapping: StreamMapping,
        *,
        checkpoint: Path | None = None,
        dead_letters: Path | None = None,
        handler: Handler | None = None,
    ):
        self.table_name = table_name
        self.mapping = mapping
        self.handler = handler  # default: the mapping's, imported when the thread starts
        self.checkpoint = Checkpoint(checkpoint) if checkpoint else None
        self.dead_letters = dead_letters
        self._matches = mapping.matcher()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._reader: StreamReader | None = None
        self._lanes = ThreadPoolExecutor(mapping.parallelization_factor, thread_name_prefix="stream-lane")

    def start(self) -> StreamPoller:
        """Resume from the checkpoint; with none, from the stream's start (a checkpoint
        exists from the first batch on, so that is a new table) or, volatile, its tip."""
        _hook_moto_stream_writes()
        self._reader = StreamReader(self.table_name)
        if self.checkpoint is None:
            self._reader.seek_latest()
        else:
            self._reader.position = self.checkpoint.load(self._reader.stream_arn) or self._reader.position
        _wakers.add(self._wake)
        self._thread = threading.Thread(target=self._run, name="stream-poller", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        _wakers.discard(self._wake)
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        self._lanes.shutdown(wait=True)

    def _run(self) -> None:
        handler = self.handler or _load(self.mapping.handler)
        while not self._stop.is_set():
            try:
                while not self._stop.is_set() and self._poll_once(handler):
                    pass
            except Exception:  # keep polling: the emulator must outlive any one bad batch
                logger.exception("stream poller error")
                self._rewind()
            self._wake.wait(_IDLE_POLL_SECONDS)
            self._wake.clear()

    def _rewind(self) -> None:
        """Back to the last saved position: the reader may have read past it."""
        assert self._reader is not None
        if self.checkpoint is not None:
            arn = self._reader.stream_arn
            self._reader.position = self.checkpoint.load(arn) or Position(arn)
        self._reader.reopen()

    def _poll_once(self, handler: Handler) -> bool:
        """Deliver what one ``GetRecords`` returned; False when there was nothing new."""
        assert self._reader is not None
        shard_id = self._reader.position.shard_id
        # Enough for every concurrent batch (GetRecords returns at most 1,000).
        records = self._reader.read(min(1000, self.mapping.batch_size * self.mapping.parallelization_factor))
        if records:
            self._process(handler, records, str(shard_id))
        if self.checkpoint is not None and (records or self._reader.position.shard_id != shard_id):
            self.checkpoint.save(self._reader.position)
        return bool(records)

    def _process(self, handler: Handler, records: list[dict[str, Any]], shard_id: str) -> None:
        """Deliver (or dead-letter) every record, even when asked to stop meanwhile: a
        graceful stop then repeats nothing (a SIGKILL repeats this batch, at least once
        as Lambda)."""
        assert self._reader is not None
        now = time.time()
        oldest = now - self.mapping.max_record_age_seconds
        lanes: dict[int, list[dict[str, Any]]] = {}
        expired = []
        for event in (lambda_record(r, self._reader.stream_arn) for r in records):
            if (
                self.mapping.max_record_age_seconds >= 0
                and event["dynamodb"].get("ApproximateCreationDateTime", now) < oldest
            ):
                expired.append(event)
            elif self._matches(event):
                key = json.dumps(event["dynamodb"]["Keys"].get(PARTITION_KEY), sort_keys=True).encode()
                lanes.setdefault(zlib.crc32(key) % self.mapping.parallelization_factor, []).append(event)
        if expired:
            self._dead_letter(expired, shard_id, "RecordAgeExceeded")
        # Each lane keeps its partition keys' order; the checkpoint moves once all are done.
        list(self._lanes.map(lambda lane: self._deliver_lane(handler, lane, shard_id), lanes.values()))

    def _deliver_lane(self, handler: Handler, events: list[dict[str, Any]], shard_id: str) -> None:
        size = self.mapping.batch_size
        for start in range(0, len(events), size):
            self._deliver(handler, events[start : start + size], shard_id)

    def _deliver(self, handler: Handler, events: list[dict[str, Any]], shard_id: str) -> None:
        """Invoke until every event is delivered or dead-lettered, as Lambda retries."""
        pending: deque[tuple[list[dict[str, Any]], int]] = deque([(events, 0)] if events else [])
        while pending:
            part, retries = pending.popleft()
            failed_from = self._invoke(handler, part)
            if failed_from is None:
                continue
            if failed_from == _FUNCTION_ERROR and self.mapping.bisect_on_error and len(part) > 1:
                half = len(part) // 2  # splitting is not a retry
                pending.extendleft([(part[half:], retries), (part[:half], retries)])
                continue
            remaining = part if failed_from == _FUNCTION_ERROR else part[failed_from:]
            if 0 <= self.mapping.retry_attempts <= retries:
                self._dead_letter(remaining, shard_id, "RetryAttemptsExhausted")
                continue
            time.sleep(min(_MAX_BACKOFF_SECONDS, _BACKOFF_SECONDS * 2**retries))
            pending.appendleft((remaining, retries + 1))

    def _invoke(self, handler: Handler, events: list[dict[str, Any]]) -> int | None:
        """None on success, else the index to retry from (``_FUNCTION_ERROR``: it raised)."""
        try:
            result = invoke(handler, {"Records": events}, function_name=self.mapping.function_name)
        except Exception:
            logger.exception("%s failed on a batch of %d", self.mapping.function_name, len(events))
            return _FUNCTION_ERROR
        failures = (result or {}).get("batchItemFailures") if self.mapping.report_item_failures else None
        if not failures:
            return None
        index = {e["dynamodb"]["SequenceNumber"]: i for i, e in enumerate(events)}
        named = [f.get("itemIdentifier") if isinstance(f, dict) else None for f in failures]
        if any(n not in index for n in named):  # Lambda reads that as a failure of the whole batch
            return 0
        return min(index[n] for n in named)

    def _dead_letter(self, events: list[dict[str, Any]], shard_id: str, condition: str) -> None:
        """What the deployed mapping sends to its on-failure queue: the batch's place."""
        info = {
            "condition": condition,
            "functionName": self.mapping.function_name,
            "timestamp": datetime.now(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": events[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": events[-1]["dynamodb"]["SequenceNumber"],
                "batchSize": len(events),
                "streamArn": events[0]["eventSourceARN"],
            },
        }
        logger.error("stream records discarded (%s): %s", condition, json.dumps(info["DDBStreamBatchInfo"]))
        if self.dead_letters is not None:
            self.dead_letters.parent.mkdir(parents=True, exist_ok=True)
            with self.dead_letters.open("a") as handle:
                handle.write(json.dumps(info) + "\n")
