"""Logs, metrics and traces for every Lambda, configured once (AWS Lambda Powertools).

- ``logger``: Powertools' JSON logger, named ``agentplatform``. Domain modules keep using
  ``logging.getLogger(__name__)``: their records propagate to it, so every line is one
  JSON object carrying the correlation keys known at that point of the invocation
  (``function_request_id``, ``request_id``, ``user_id``, ``graph_exec_id``,
  ``node_exec_id``...). Keys live in a context variable, not in the formatter, so
  requests served concurrently by one process (the local cloud) never mix them up.
- ``metrics``: CloudWatch EMF metrics in ``POWERTOOLS_METRICS_NAMESPACE``
  (``AgentPlatform``), printed once at the end of an invocation that recorded any.
- Tracer: only with ``ENABLE_TRACER=true``. Powertools' Tracer imports the X-Ray SDK
  (and botocore with it) even when disabled, which costs more cold start than every
  other part of this module together (``bench/observability.py``); Lambda active
  tracing (CDK context ``tracing=true``) traces each invocation without it.

``@lambda_handler(correlate)`` applies all of it to a Lambda handler: one line per entry
point in ``functions/``; the REST factory (``api/lambda_entry.rest_lambda``) applies
``rest_handler`` to every API domain's handler.
"""

from __future__ import annotations

import contextvars
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from agentplatform.coldstart import end_of_init

SERVICE = "agentplatform"
NAMESPACE_DEFAULT = "AgentPlatform"

Handler = Callable[[dict[str, Any], Any], Any]
Correlate = Callable[[dict[str, Any]], dict[str, Any]]

# The keys of the current invocation (a dict that code deeper in the call may extend:
# FastAPI runs dependencies on worker threads, which see this dict but not new bindings).
_keys: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("log_keys", default=None)
_cold_start = True


class _CorrelationFilter(logging.Filter):
    """Copies the invocation's keys onto each record; Powertools prints record extras."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (_keys.get() or {}).items():
            if value is not None and not hasattr(record, key):
                setattr(record, key, value)
        return True


logger = Logger(service=SERVICE)  # level: POWERTOOLS_LOG_LEVEL or LOG_LEVEL (INFO)
_access = logging.getLogger(f"{SERVICE}.access")  # a child: Powertools formats it
logger.registered_handler.addFilter(_CorrelationFilter())
metrics = Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or NAMESPACE_DEFAULT, service=SERVICE
)


def tracer_enabled() -> bool:
    return os.environ.get("ENABLE_TRACER", "").strip().lower() in {"1", "true", "yes", "on"}


def bind(**keys: Any) -> None:
    """Add correlation keys to every later log line of this invocation."""
    current = _keys.get()
    if current is None:
        _keys.set(dict(keys))
    else:
        current.update(keys)


@contextmanager
def log_scope(**keys: Any) -> Iterator[None]:
    """Keys for the lines logged inside the block only (e.g. one node of a batch)."""
    token = _keys.set({**(_keys.get() or {}), **keys})
    try:
        yield
    finally:
        _keys.reset(token)


def count(name: str, value: float = 1, unit: MetricUnit | str = MetricUnit.Count, **dimensions: str) -> None:
    """Record a metric; one with its own dimensions is published at once, on its own."""
    if not dimensions:
        metrics.add_metric(name=name, unit=unit, value=value)
        return
    from aws_lambda_powertools.metrics import EphemeralMetrics

    single = EphemeralMetrics(namespace=metrics.namespace, service=SERVICE)
    for key, dimension in dimensions.items():
        single.add_dimension(name=key, value=dimension)
    single.add_metric(name=name, unit=unit, value=value)
    single.flush_metrics()


def publish_metrics() -> None:
    """Print the invocation's metrics, if it recorded any (no empty-set warning)."""
    if metrics.metric_set:
        metrics.flush_metrics()
    metrics.clear_metrics()  # disabled metrics (local cloud) must not pile up


def _context_keys(context: Any) -> dict[str, Any]:
    global _cold_start
    cold, _cold_start = _cold_start, False
    return {
        "function_name": getattr(context, "function_name", None),
        "function_request_id": getattr(context, "aws_request_id", None),
        "cold_start": cold,
    }


def lambda_handler(correlate: Correlate | None = None) -> Callable[[Handler], Handler]:
    """Decorator: ``correlate(event)`` names the keys an invocation's lines carry."""
    return lambda handler: instrument(handler, correlate)


def instrument(handler: Handler, correlate: Correlate | None = None) -> Handler:
    """``handler`` with this invocation's log keys, its metrics published, and traced."""

    def invoke(event: dict[str, Any], context: Any) -> Any:
        keys = _context_keys(context)
        if correlate is not None:
            keys.update(correlate(event))
        token = _keys.set(keys)
        try:
            return handler(event, context)
        finally:
            publish_metrics()
            _keys.reset(token)

    invoke.__doc__ = handler.__doc__
    wrapped: Any = invoke
    if tracer_enabled():
        from aws_lambda_powertools import Tracer

        wrapped = Tracer(service=SERVICE).capture_lambda_handler(invoke)
    wrapped.observed = True  # tests check that every entry point is instrumented
    end_of_init()  # wrapping the handler is the last step of a function's INIT
    return wrapped


# -- correlations: which keys each kind of event carries


def run_keys(event: dict[str, Any]) -> dict[str, Any]:
    """Step Functions tasks of a graph run (``{"run": {user_id, graph_exec_id}, ...}``)."""
    run = event.get("run") or {}
    return {"user_id": run.get("user_id"), "graph_exec_id": run.get("graph_exec_id")}


def schedule_keys(event: dict[str, Any]) -> dict[str, Any]:
    """EventBridge Scheduler's target input."""
    return {"user_id": event.get("user_id"), "schedule_id": event.get("schedule_id")}


def request_keys(event: dict[str, Any]) -> dict[str, Any]:
    """API Gateway requests (REST and WebSocket)."""
    context = event.get("requestContext") or {}
    return {"request_id": context.get("requestId"), "connection_id": context.get("connectionId")}


def rest_handler(handler: Handler) -> Handler:
    """A REST (API Gateway proxy) handler: keyed by request id, one access line per request."""

    def invoke(event: dict[str, Any], context: Any) -> Any:
        started = time.perf_counter()
        response = handler(event, context)
        _log_access(event, response, (time.perf_counter() - started) * 1000)
        return response

    return instrument(invoke, request_keys)


def _printable(text: str) -> str:
    """``text`` without lone surrogates (an event may carry them; a log line cannot)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _log_access(event: dict[str, Any], response: Any, duration_ms: float) -> None:
    status = int((response or {}).get("statusCode", 0)) if isinstance(response, dict) else 0
    method, path = str(event.get("httpMethod", "")), _printable(str(event.get("path", "")))
    _access.log(
        logging.ERROR if status >= 500 else logging.INFO,
        "%s %s %s %.0f ms",
        method,
        path,
        status,
        duration_ms,
        extra={"http_method": method, "path": path, "status": status, "duration_ms": round(duration_ms, 1)},
    )
