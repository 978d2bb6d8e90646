"""What a bench's AWS calls would be billed: DynamoDB requests and capacity units, S3
requests, WebSocket posts and their 32 KB message units, per phase and per Lambda.

moto reports no real consumed capacity, so units are computed from item sizes with
DynamoDB's on-demand rules: a write is ceil(max(size before, size after) / 1 KB) write
units (at least 1, also when its condition fails), a strongly consistent read
ceil(size / 4 KB) read units and an eventually consistent one half that, summed over
a query's items before rounding; transactions cost twice. Sizes are DynamoDB's (name
plus value bytes per attribute), read from the table around each write with an
unmetered client. Items a query's filter dropped are not seen, so such a query is
slightly undercounted (only replay uses one).

``phase`` says whose calls these are ("engine", "events"; None: not metered), and the
Lambda making a call is known per thread (``LambdaTracker``), as Step Functions runs
Map iterations on threads. The tracker also times each invocation: its thread's CPU
time less what the in-process emulators spent answering its AWS calls, and how many
calls it made (``LambdaUse``), so a bill can model its billed duration.
"""

from __future__ import annotations

import base64
import math
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

_WRITE_UNIT = 1024
_READ_UNIT = 4096
WS_MESSAGE_UNIT = 32 * 1024  # API Gateway meters WebSocket messages in 32 KB steps


def _value_size(value: dict[str, Any]) -> int:
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = inner.strip("-").replace(".", "").strip("0") or "0"
        return 1 + math.ceil(len(digits) / 2)
    if kind == "B":
        return len(base64.b64decode(inner)) if isinstance(inner, str) else len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + _value_size(v) for k, v in inner.items())
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: v}) for v in inner)
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: dict[str, Any] | None) -> int:
    """DynamoDB's size of an item in low-level (attribute-typed) form."""
    return sum(len(name.encode()) + _value_size(value) for name, value in (item or {}).items())


@dataclass
class Tally:
    requests: int = 0
    rru: float = 0.0
    wru: float = 0.0
    by_operation: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, other: Tally) -> None:
        self.requests += other.requests
        self.rru += other.rru
        self.wru += other.wru
        for name, count in other.by_operation.items():
            self.by_operation[name] += count


@dataclass
class LambdaUse:
    """What one function's invocations used."""

    invocations: int = 0
    cpu_seconds: float = 0.0  # the function's own work, the emulators' excluded
    aws_calls: int = 0  # made on the invoking thread (the events Lambda's posts are not)


class LambdaTracker:
    """Which function the current thread is running (set around each local invocation),
    and what each invocation used."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self.use: dict[str, LambdaUse] = defaultdict(LambdaUse)

    @property
    def current(self) -> str:
        return str(getattr(self._local, "name", "") or "caller")

    @contextmanager
    def running(self, name: str) -> Iterator[None]:
        previous = (getattr(self._local, "name", None), getattr(self._local, "span", None))
        span = self._local.span = _Span()
        self._local.name = name
        started = time.thread_time()
        try:
            yield
        finally:
            elapsed = time.thread_time() - started
            self._local.name, self._local.span = previous
            if previous[1] is not None:  # a nested invocation is not its caller's work
                previous[1].excluded += elapsed
            with self._lock:
                use = self.use[name]
                use.invocations += 1
                use.cpu_seconds += max(0.0, elapsed - span.excluded)
                use.aws_calls += span.calls

    def reset(self) -> None:
        with self._lock:
            self.use.clear()

    def call_started(self, **_: Any) -> None:
        self._local.call_started = time.thread_time()

    def call_ended(self, **_: Any) -> None:
        span: _Span | None = getattr(self._local, "span", None)
        started = getattr(self._local, "call_started", None)
        if span is None or started is None:
            return
        span.excluded += time.thread_time() - started
        span.calls += 1
        self._local.call_started = None


@dataclass
class _Span:
    excluded: float = 0.0
    calls: int = 0


class Meter:
    """Hooks the shared clients; ``tally(phase)`` sums what was metered under a phase."""

    def __init__(self, lambdas: LambdaTracker | None = None) -> None:
        import boto3

        self.phase: str | None = None
        self.lambdas = lambdas or LambdaTracker()
        self._lock = threading.Lock()
        self._dynamo: dict[tuple[str, str], Tally] = defaultdict(Tally)
        self.s3_requests: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.posts: dict[str, int] = defaultdict(int)
        self.message_units: dict[str, int] = defaultdict(int)
        self._raw = boto3.session.Session().client("dynamodb")  # unmetered: reads sizes

    def install(self) -> Meter:
        from agentplatform.aws import client

        events = client("dynamodb").meta.events
        events.register("before-parameter-build.dynamodb", self._before)
        events.register("after-call.dynamodb", self._after)
        client("s3").meta.events.register("after-call.s3", self._s3)
        for service in ("dynamodb", "s3", "stepfunctions"):
            self._time_calls(client(service))
        return self

    def watch_posts(self, management_client: Any) -> None:
        management_client.meta.events.register(
            "before-parameter-build.apigatewaymanagementapi.PostToConnection", self._post
        )
        self._time_calls(management_client)

    def _time_calls(self, aws_client: Any) -> None:
        """Time a client's calls as the emulators' work (from the first hook of a call
        to the last, this meter's own size reads included)."""
        events = aws_client.meta.events
        events.register_first("provide-client-params", self.lambdas.call_started)
        events.register_last("after-call", self.lambdas.call_ended)

    @contextmanager
    def metering(self, phase: str) -> Iterator[None]:
        previous, self.phase = self.phase, phase
        try:
            yield
        finally:
            self.phase = previous

    def reset(self) -> None:
        with self._lock:
            self._dynamo.clear()
            self.s3_requests.clear()
            self.posts.clear()
            self.message_units.clear()
        self.lambdas.reset()

    def tally(self, phase: str, function: str | None = None) -> Tally:
        total = Tally()
        for (p, f), tally in list(self._dynamo.items()):
            if p == phase and (function is None or f == function):
                total.add(tally)
        return total

    def functions(self, phase: str) -> dict[str, Tally]:
        return {f: t for (p, f), t in list(self._dynamo.items()) if p == phase}

    # -- hooks

    def _before(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if self.phase is None:
            return
        context["meter"] = (self.phase, self.lambdas.current)
        context["meter_request"] = params
        written = _written_keys(model.name, params)
        if written:
            context["meter_before"] = {key: self._size(table, key) for table, key in written}

    def _after(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if "meter" not in context:
            return
        phase, function = context["meter"]
        params: dict[str, Any] = context["meter_request"]
        tally = Tally(requests=1)
        tally.by_operation[model.name] += 1
        before: dict[Any, int] = context.get("meter_before", {})
        failed = "Error" in parsed
        for table, key, factor in _written(model.name, params):
            old = before.get(key, 0)
            new = old if failed else self._size(table, key)
            tally.wru += factor * max(1, math.ceil(max(old, new) / _WRITE_UNIT))
        tally.rru += self._read_units(model.name, params, parsed)
        with self._lock:
            self._dynamo[(phase, function)].add(tally)

    def _s3(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        if self.phase is not None:
            with self._lock:
                self.s3_requests[self.phase][model.name] += 1

    def _post(self, params: dict[str, Any], **_: Any) -> None:
        if self.phase is not None:
            size = len(params.get("Data") or b"")
            with self._lock:
                self.posts[self.phase] += 1
                self.message_units[self.phase] += max(1, math.ceil(size / WS_MESSAGE_UNIT))

    # -- sizes

    def _size(self, table: str, key: tuple[tuple[str, str], ...]) -> int:
        item = self._raw.get_item(
            TableName=table, Key={name: {"S": value} for name, value in key}, ConsistentRead=True
        ).get("Item")
        return item_size(item)

    def _read_units(self, operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> float:
        if "Error" in parsed:
            return 0.0
        if operation == "GetItem":
            return _units([item_size(parsed.get("Item"))], params.get("ConsistentRead", False))
        if operation in ("Query", "Scan"):
            sizes = [self._full_size(params["TableName"], i, params) for i in parsed.get("Items", [])]
            return _units([sum(sizes)], params.get("ConsistentRead", False))
        if operation == "BatchGetItem":
            total = 0.0
            for table, request in params.get("RequestItems", {}).items():
                found = parsed.get("Responses", {}).get(table, [])
                sizes = [item_size(i) for i in found] + [0] * (len(request["Keys"]) - len(found))
                total += sum(_units([s], request.get("ConsistentRead", False)) for s in sizes)
            return total
        if operation == "TransactGetItems":
            return sum(2 * _units([item_size(r.get("Item"))], True) for r in parsed.get("Responses", []))
        return 0.0

    def _full_size(self, table: str, item: dict[str, Any], params: dict[str, Any]) -> int:
        if "ProjectionExpression" not in params or "IndexName" in params:
            return item_size(item)  # an index read costs what the index holds
        return self._size(table, _key(item))


def _units(sizes: list[int], consistent: bool) -> float:
    return sum(max(1, math.ceil(s / _READ_UNIT)) * (1.0 if consistent else 0.5) for s in sizes)


def _key(item: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return (("pk", item["pk"]["S"]), ("sk", item["sk"]["S"]))


def _written(operation: str, params: dict[str, Any]) -> list[tuple[str, Any, int]]:
    """(table, key, cost factor) of every item the request writes (or condition-checks)."""
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        item = params.get("Item") or params.get("Key") or {}
        return [(params["TableName"], _key(item), 1)]
    if operation == "BatchWriteItem":
        return [
            (table, _key(r.get("PutRequest", {}).get("Item") or r.get("DeleteRequest", {}).get("Key")), 1)
            for table, requests in params.get("RequestItems", {}).items()
            for r in requests
        ]
    if operation == "TransactWriteItems":
        found = []
        for op in params.get("TransactItems", []):
            body = next(iter(op.values()))
            found.append((body["TableName"], _key(body.get("Item") or body.get("Key")), 2))
        return found
    return []


def _written_keys(operation: str, params: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(table, key) for table, key, _ in _written(operation, params)]
