"""Public AutoGPT agent exports, imported unchanged, run to COMPLETED against stubs of
every service they call (Jina, YouTube, Discord, OpenAI, Anthropic)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.llm_stub import LLMStub, anthropic_text, openai_text
from tests.support.service_fakes import (
    DISCORD_HOSTS,
    YOUTUBE_HOSTS,
    discord_message,
    discord_routes,
    jina_routes,
    youtube_routes,
)
from tests.support.service_stub import add_credential, run_with, service_stub

AGENTS = Path("/work/shared/reference/autogpt-agents")
JINA_KEY = "jina_e2e_5c2d-secret"
PAGE = "Title: AutoGPT\n\nMarkdown Content:\n# AutoGPT\nBuild, deploy and run AI agents."


def _export(name: str) -> dict:
    return json.loads((AGENTS / name).read_text())


def _llm(api, stub: LLMStub, provider: str) -> dict:
    base_url = stub.openai_base_url if provider == "openai" else stub.url
    return add_credential(api, provider, api_key="sk-e2e-llm-secret", base_url=base_url)


def test_ai_webpage_copy_improver(api, kms_key, llm_stub, monkeypatch):
    export = _export("agent_f2cc74bb-f43f-4395-9c35-ecb30b5b4fc9.json")
    llm_stub.queue(
        openai_text("Clear headline, weak call to action."), openai_text("# Build agents that work")
    )
    routes = jina_routes({"/https://agpt.co": PAGE}, JINA_KEY)
    with service_stub(monkeypatch, ["r.jina.ai"], routes) as jina:
        jina_meta = add_credential(api, "jina", api_key=JINA_KEY)
        _, run = run_with(
            api, export, {"Homepage URL": "https://agpt.co"}, jina_meta, _llm(api, llm_stub, "openai")
        )
    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {
        "Original Page Analysis": ["Clear headline, weak call to action."],
        "Improved Webpage Copy": ["# Build agents that work"],
    }
    assert len(jina.requests) == 1
    analysis, improvement = (r.body["messages"][-1]["content"] for r in llm_stub.requests)
    assert PAGE in analysis
    assert PAGE in improvement and "Clear headline, weak call to action." in improvement


def test_email_address_finder(api, kms_key, llm_stub, monkeypatch):
    export = _export("agent_fc2c9976-0962-4625-a27b-d316573a9e7f.json")
    results = "[1] Title: Tim Cook - Apple Leadership\n[1] Description: Contact tcook@apple.com"
    llm_stub.queue(anthropic_text("The contact email is <email>tcook@apple.com</email>"))
    routes = jina_routes({"/Email%20Address%20of%20Tim%20Cook%2C%20USA": results}, JINA_KEY)
    with service_stub(monkeypatch, ["s.jina.ai"], routes):
        jina_meta = add_credential(api, "jina", api_key=JINA_KEY)
        inputs = {"Business Name": "Tim Cook", "Address": "USA"}
        _, run = run_with(api, export, inputs, jina_meta, _llm(api, llm_stub, "anthropic"))
    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {"Email": ["tcook@apple.com"]}
    (request,) = llm_stub.requests
    assert request.path == "/v1/messages"
    assert results in request.body["messages"][-1]["content"]


@pytest.fixture
def one_batch_per_wave(monkeypatch):
    """One ``run_node`` batch per wave, so executions of a node finish in queue order.

    The agent pairs each list with its length on a Condition node; upstream processes
    a node's executions earliest first, which keeps the pairs aligned. Our engine runs
    a node's executions in parallel batches, which can reorder them (reported to the
    lead), so this test runs each wave as a single batch.
    """
    monkeypatch.setenv("GRAPH_RUN_MAX_CONCURRENCY", "1")


def test_youtube_transcription_scraper(one_batch_per_wave, api, kms_key, llm_stub, monkeypatch):
    export = _export("agent_c775f60d-b99f-418b-8fe0-53172258c3ce.json")
    videos = {
        "aaaaaaaaaa1": ["First video"],
        "bbbbbbbbbb2": ["Second", "video"],
        "cccccccccc3": ["Third video"],
    }
    urls = [f"https://www.youtube.com/watch?v={video}" for video in videos]
    llm_stub.queue(anthropic_text(json.dumps({"list": urls})))
    search_page = "\n".join(f"[{title}]({url})" for title, url in zip(["a", "b", "c"], urls, strict=True))
    routes = {
        **jina_routes({"/https://www.youtube.com/results": search_page}, JINA_KEY),
        **youtube_routes(videos),
    }
    with service_stub(monkeypatch, ["r.jina.ai", *YOUTUBE_HOSTS], routes) as stub:
        jina_meta = add_credential(api, "jina", api_key=JINA_KEY)
        proxy_meta = add_credential(api, "webshare_proxy", username="proxy-user", password="proxy-secret")
        inputs = {"Search Query": "Auto_GPT", "Number of Videos": "3"}
        _, run = run_with(api, export, inputs, jina_meta, proxy_meta, _llm(api, llm_stub, "anthropic"))
    assert run["status"] == "COMPLETED"
    (transcripts,) = run["outputs"]["Transcripts"]
    assert transcripts[0] == "Youtube Transcripts"
    assert transcripts == ["Youtube Transcripts", "First video", "Second\nvideo", "Third video"]
    assert stub.requests[0].path == "/https://www.youtube.com/results?search_query=Auto_GPT"
    assert "top 3 YouTube video urls" in llm_stub.requests[0].body["messages"][-1]["content"]


def test_discord_bot_chat_template_answers_the_latest_chat_command(api, kms_key, llm_stub, monkeypatch):
    export = _export("tpl_Discord_Bot_Chat_To_LLM_v5.json")
    token = "discord-bot-token-secret"
    channels = [{"id": "101", "type": 0, "name": "general", "last_message_id": "1002"}]
    messages = {"101": [discord_message("1002", "555", "ada", "!chat what is AutoGPT?")]}
    sent: list[dict] = []
    llm_stub.queue(openai_text("An open-source agent platform."))
    with service_stub(monkeypatch, DISCORD_HOSTS, discord_routes(token, channels, messages, sent)):
        discord_meta = add_credential(api, "discord", api_key=token)
        _, run = run_with(api, export, {}, discord_meta, _llm(api, llm_stub, "openai"))
    assert run["status"] == "COMPLETED"
    assert sent == [{"id": "2000", "channel_id": "101", "content": "An open-source agent platform."}]
    (request,) = llm_stub.requests
    assert request.body["messages"][-1] == {"role": "user", "content": "ada Said: what is AutoGPT?"}
