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
