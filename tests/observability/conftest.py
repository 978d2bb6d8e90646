"""Capture what the Lambdas log (Powertools JSON lines) and print (EMF metrics)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest


class LogLines:
    def __init__(self, stream: io.StringIO):
        self._stream = stream

    def all(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self._stream.getvalue().splitlines() if line.strip()]

    def with_message(self, text: str) -> list[dict[str, Any]]:
        return [line for line in self.all() if text in line["message"]]


@pytest.fixture
def log_lines() -> Iterator[LogLines]:
    from agentplatform.observability import logger

    stream = io.StringIO()
    previous = logger.registered_handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        yield LogLines(stream)
    finally:
        logger.registered_handler.setStream(previous)  # type: ignore[attr-defined]


def emf_blobs(printed: str) -> list[dict[str, Any]]:
    """The EMF documents among printed lines."""
    blobs = []
    for line in printed.splitlines():
        if line.startswith('{"_aws"'):
            blobs.append(json.loads(line))
    return blobs


def metric_values(printed: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Metric name and its dimensions -> summed value, over every EMF document printed."""
    totals: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for blob in emf_blobs(printed):
        directive = blob["_aws"]["CloudWatchMetrics"][0]
        dimensions = tuple(sorted((name, str(blob[name])) for name in directive["Dimensions"][0]))
        for metric in directive["Metrics"]:
            value = blob[metric["Name"]]
            total = sum(value) if isinstance(value, list) else value
            key = (metric["Name"], dimensions)
            totals[key] = totals.get(key, 0) + total
    return totals
