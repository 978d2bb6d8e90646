"""Fitting event payloads under API Gateway's 128 KB message quota."""

from __future__ import annotations

import json
from typing import Any

from agentplatform.events.messages import event_message
from agentplatform.events.truncate import MESSAGE_LIMIT_BYTES, fit_event, json_size, shrink

CHANNEL = "3e53486c-cf57-477e-ba2a-cb02dc828e1a|graph_exec#" + "e" * 36


def _size_of(data: dict[str, Any]) -> int:
    return len(event_message("node_execution_event", CHANNEL, data, 10**12).encode())


def _node_event(**overrides: Any) -> dict[str, Any]:
    data = {
        "user_id": "u",
        "graph_id": "g",
        "graph_version": 1,
        "graph_exec_id": "e",
        "node_exec_id": "n",
        "node_id": "nd",
        "block_id": "b",
        "status": "COMPLETED",
        "input_data": {},
        "output_data": {},
        "add_time": "2026-01-01T00:00:00Z",
        "queue_time": None,
        "start_time": None,
        "end_time": None,
        "event_type": "node_execution_update",
    }
    data.update(overrides)
    return data


def test_small_events_are_untouched():
    data = _node_event(output_data={"output": ["hello"]})
    assert fit_event(data, _size_of, MESSAGE_LIMIT_BYTES) is data


def test_a_long_string_keeps_its_head_and_says_how_much_was_cut():
    text = "x" * 1_000_000
    fitted = fit_event(_node_event(output_data={"output": [text]}), _size_of, MESSAGE_LIMIT_BYTES)
    value = fitted["output_data"]["output"][0]
    assert _size_of(fitted) <= MESSAGE_LIMIT_BYTES
    head, marker = value.split("… (")
    assert set(head) == {"x"} and len(head) > 100_000
    assert marker == f"{len(text) - len(head)} more characters truncated)"


def test_input_and_output_share_the_room_and_the_rest_is_intact():
    data = _node_event(input_data={"text": "i" * 300_000}, output_data={"a": ["o" * 300_000], "b": [1, 2]})
    fitted = fit_event(data, _size_of, MESSAGE_LIMIT_BYTES)
    assert _size_of(fitted) <= MESSAGE_LIMIT_BYTES
    assert fitted["input_data"]["text"].startswith("i" * 10_000)
    assert fitted["output_data"]["a"][0].startswith("o" * 10_000)
    assert fitted["output_data"]["b"] == [1, 2]
    assert {k: v for k, v in fitted.items() if k not in ("input_data", "output_data")} == {
        k: v for k, v in data.items() if k not in ("input_data", "output_data")
    }


def test_many_small_items_and_keys_are_cut_with_a_count():
    data = _node_event(output_data={"list": [list(range(100_000))], **{f"k{i}": [i] for i in range(20_000)}})
    fitted = fit_event(data, _size_of, MESSAGE_LIMIT_BYTES)
    assert _size_of(fitted) <= MESSAGE_LIMIT_BYTES
    kept = fitted["output_data"]
    assert kept["list"][0][:5] == [0, 1, 2, 3, 4]
    assert kept["list"][0][-1].endswith("more items truncated)")
    assert kept["…"].endswith("more keys truncated")


def test_an_event_too_big_outside_its_bulky_fields_is_still_sent():
    data = {**_node_event(), "stats": {"error": "boom " * 100_000}}
    fitted = fit_event(data, _size_of, MESSAGE_LIMIT_BYTES)
    assert _size_of(fitted) <= MESSAGE_LIMIT_BYTES
    assert fitted["node_exec_id"] == "n" and fitted["status"] == "COMPLETED"
    assert fitted["stats"]["error"].startswith("boom boom")


def test_unicode_is_measured_in_bytes():
    fitted = fit_event(_node_event(output_data={"o": ["é" * 200_000]}), _size_of, MESSAGE_LIMIT_BYTES)
    assert _size_of(fitted) <= MESSAGE_LIMIT_BYTES
    assert json_size(fitted) == len(json.dumps(fitted, separators=(",", ":"), ensure_ascii=False).encode())


def test_shrink_keeps_types():
    assert shrink({"a": "xyz", "b": [1, 2, 3]}, 100) == {"a": "xyz", "b": [1, 2, 3]}
    assert shrink("abcdef", 2) == "ab… (4 more characters truncated)"
    assert shrink(list(range(20)), 8) == [0, 1, "… (18 more items truncated)"]
