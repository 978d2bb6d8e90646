"""``POST /api/blocks/{id}/execute`` resolves the caller's stored credentials."""

from __future__ import annotations

from tests.support.llm_stub import llm_stub, openai_text

__all__ = ["llm_stub"]

TEXT = "1f292d4a-41a4-4977-9684-7c8d560b9f91"
SECRET = "sk-block-exec-91aa"


def test_ai_block_runs_with_stored_credentials(api, other_api, kms_key, llm_stub):
    created = api.post(
        "/api/integrations/openai/credentials",
        json_body={"type": "api_key", "api_key": SECRET, "base_url": llm_stub.openai_base_url},
    ).json()
    meta = {"id": created["id"], "provider": "openai", "type": "api_key"}
    llm_stub.queue(openai_text("hi there"))
    resp = api.post(f"/api/blocks/{TEXT}/execute", json_body={"prompt": "hello", "credentials": meta})
    assert resp.status_code == 200, resp.content
    assert resp.json()["response"] == ["hi there"]

    foreign = other_api.post(
        f"/api/blocks/{TEXT}/execute", json_body={"prompt": "hello", "credentials": meta}
    )
    assert foreign.status_code == 400
    assert foreign.json()["detail"] == f"credentials: Unknown credentials #{created['id']}"
    assert len(llm_stub.requests) == 1
    assert SECRET.encode() not in resp.content + foreign.content


def test_catalogue_lists_ai_blocks_with_a_cost_per_model(api):
    blocks = {b["id"]: b for b in api.get("/api/blocks").json()}
    for block_id in (
        TEXT,
        "ed55ac19-356e-4243-a6cb-bc599e9b716f",
        "a0a69be1-4528-491c-a85a-a4ab6873e3f0",
        "32a87eab-381e-4dd4-bdb8-4c47151be35a",
        "9c0b0450-d199-458b-a731-072189dd6593",
        "3b191d9f-356f-482d-8238-ba04b6d18381",
    ):
        block = blocks[block_id]
        assert {"cost_amount": 3, "cost_filter": {"model": "gpt-4o"}, "cost_type": "run"} in block["costs"]
        credentials = block["inputSchema"]["properties"]["credentials"]
        assert credentials["credentials_types"] == ["api_key"]
        assert credentials["discriminator"] == "model"
        assert credentials["discriminator_mapping"]["claude-sonnet-4-5-20250929"] == "anthropic"
        assert "credentials" in block["inputSchema"]["required"]
    assert blocks["3b191d9f-356f-482d-8238-ba04b6d18381"]["uiType"] == "AI"
