"""``/api/blocks`` through API Gateway events: the catalogue and one-off execution."""

from __future__ import annotations

import pytest

from agentplatform.blocks.registry import get_block, get_blocks

STORE_VALUE = "1ff065e9-88e8-4358-9d82-8dc91f622ba9"
CALCULATOR = "b1ab9b19-67a6-406d-abf5-2dba76d00c79"
REMOVE_FROM_DICT = "46afe2ea-c613-43f8-95ff-6692c3ef6876"
ENTRY_KEYS = {
    "id",
    "name",
    "inputSchema",
    "outputSchema",
    "description",
    "categories",
    "contributors",
    "staticOutput",
    "uiType",
    "costs",
}


def test_catalogue_lists_every_enabled_block_in_the_spec_shape(api):
    resp = api.get("/api/blocks")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    entries = resp.json()
    enabled = {block_id for block_id, block in get_blocks().items() if not block.disabled}
    assert {entry["id"] for entry in entries} == enabled
    for entry in entries:
        assert set(entry) == ENTRY_KEYS, entry["name"]
        assert entry["inputSchema"]["type"] == "object"
        assert entry["outputSchema"]["type"] == "object"
        assert isinstance(entry["staticOutput"], bool)
        assert all(set(c) == {"category", "description"} for c in entry["categories"])
        assert all(set(c) == {"name"} for c in entry["contributors"])
        assert all(set(c) == {"cost_amount", "cost_filter", "cost_type"} for c in entry["costs"])


def test_catalogue_entry_for_store_value(api):
    entry = next(e for e in api.get("/api/blocks").json() if e["id"] == STORE_VALUE)
    assert entry["name"] == "StoreValueBlock"
    assert entry["staticOutput"] is True
    assert entry["uiType"] == "Standard"
    assert entry["categories"] == [
        {"category": "BASIC", "description": "Block that performs basic operations."}
    ]
    assert entry["costs"] == []
    assert entry["inputSchema"]["required"] == ["input"]
    assert entry["inputSchema"]["properties"]["data"]["advanced"] is True
    assert entry["inputSchema"]["properties"]["input"]["advanced"] is False
    assert entry["outputSchema"]["properties"]["error"]["default"] == ""


def test_catalogue_schemas_are_inlined(api):
    entries = {e["name"]: e for e in api.get("/api/blocks").json()}
    calculator = entries["CalculatorBlock"]["inputSchema"]["properties"]["operation"]
    assert calculator["enum"] == ["Add", "Subtract", "Multiply", "Divide", "Power"]
    assert "$ref" not in str(entries["GetCurrentTimeBlock"]["inputSchema"])
    assert entries["FileStoreBlock"]["inputSchema"]["properties"]["file_in"]["format"] == "file"


def test_catalogue_requires_auth(anonymous_api):
    assert anonymous_api.get("/api/blocks").status_code == 401


def test_execute_returns_outputs_by_pin(api):
    resp = api.post(
        f"/api/blocks/{CALCULATOR}/execute",
        json_body={"operation": "Multiply", "a": 6, "b": 7, "round_result": True},
    )
    assert resp.status_code == 200, resp.content
    assert resp.json() == {"result": [42]}


def test_execute_collects_repeated_pins(api):
    resp = api.post(
        "/api/blocks/f66a3543-28d3-4ab5-8945-9b336371e2ce/execute", json_body={"items": ["a", "b"]}
    )
    assert resp.json() == {"item": ["a", "b"], "key": [0, 1]}


def test_execute_serializes_dates(api):
    resp = api.post(
        "/api/blocks/7e198b09-4994-47db-8b4d-952d98241817/execute",
        json_body={"name": "d", "value": "2025-03-19"},
    )
    assert resp.json() == {"result": ["2025-03-19"]}


def test_execute_unknown_block_is_404(api):
    missing = "00000000-0000-4000-8000-000000000000"
    resp = api.post(f"/api/blocks/{missing}/execute", json_body={})
    assert resp.status_code == 404
    assert resp.json()["detail"] == f"Block #{missing} not found."


def test_execute_disabled_block_is_403(api, monkeypatch):
    monkeypatch.setattr(get_block(STORE_VALUE), "disabled", True)
    resp = api.post(f"/api/blocks/{STORE_VALUE}/execute", json_body={"input": 1})
    assert resp.status_code == 403
    assert resp.json()["detail"] == f"Block #{STORE_VALUE} is disabled."


def test_execute_bad_input_is_400_in_the_envelope(api):
    resp = api.post(f"/api/blocks/{CALCULATOR}/execute", json_body={"operation": "Modulo", "a": 1, "b": 2})
    assert resp.status_code == 400
    body = resp.json()
    assert set(body) == {"message", "detail", "hint"}
    assert body["message"] == f"Failed to process POST /api/blocks/{CALCULATOR}/execute"
    assert body["detail"].startswith(
        "raised by CalculatorBlock with message: Unable to execute block with invalid input data: "
    )


def test_execute_error_pin_is_400_with_the_block_message(api):
    resp = api.post(
        f"/api/blocks/{REMOVE_FROM_DICT}/execute", json_body={"dictionary": {"a": 1}, "key": "zz"}
    )
    assert resp.status_code == 400
    assert resp.json()["detail"] == (
        f"raised by RemoveFromDictionaryBlock with message: Key 'zz' not found in dictionary. block_id: {REMOVE_FROM_DICT}"
    )


@pytest.mark.parametrize("body", ["[1, 2]", "not json"])
def test_execute_body_must_be_an_object(api, body):
    resp = api.post(
        f"/api/blocks/{STORE_VALUE}/execute", body=body, headers={"content-type": "application/json"}
    )
    assert resp.status_code == 422
