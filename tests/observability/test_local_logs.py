"""The local cloud prints the Lambdas' records as one readable line each."""

from __future__ import annotations

import io
import logging

import pytest

from local.logs import ReadableFormatter, readable

AI_TEXT = "1f292d4a-41a4-4977-9684-7c8d560b9f91"


def test_a_request_line_reads_as_method_path_status_and_time():
    line = readable(
        {
            "level": "INFO",
            "message": "GET /api/graphs 200 12 ms",
            "user_id": "3e53486c-cf57-477e-ba2a-cb02dc828e1a",
        }
    )
    assert line.endswith(" INFO    GET /api/graphs 200 12 ms  user=3e53486c")
    assert line[2] == ":" and line[5] == ":"


def test_a_node_failure_names_the_run_node_and_block_by_name():
    line = readable(
        {
            "level": "WARNING",
            "message": "node ne-1 FAILED: ValueError: no key",
            "graph_exec_id": "run-1",
            "node_exec_id": "ne-1",
            "node_id": "n-1",
            "block_id": AI_TEXT,
        }
    )
    assert (
        line.split(" ", 1)[1]
        == "WARNING node ne-1 FAILED: ValueError: no key  run=run-1 node=n-1 block=AITextGeneratorBlock"
    )


def test_an_exception_follows_its_line():
    assert readable(
        {"level": "ERROR", "message": "boom", "exception": "Traceback ...\nKeyError: 'x'"}
    ).endswith("ERROR   boom\nTraceback ...\nKeyError: 'x'")


def test_the_formatter_keeps_powertools_record_handling():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ReadableFormatter())
    log = logging.getLogger("tests.local_logs")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("run %s %s", "r-1", "FAILED", extra={"graph_exec_id": "r-1", "user_id": "u" * 36})
    finally:
        log.removeHandler(handler)
    assert stream.getvalue().split(" ", 1)[1] == "WARNING run r-1 FAILED  user=uuuuuuuu\n"


def test_only_text_and_json_are_formats():
    from local.logs import configure

    with pytest.raises(ValueError, match="text, json"):
        configure("yaml")
