"""Prompt helpers of the AI blocks, and the Ollama endpoint."""

from __future__ import annotations

import pytest

from agentplatform.llm.blocks import compress_prompt, estimate_tokens, format_prompt, parse_json_reply
from agentplatform.models.credentials import APIKeyCredentials
from tests.llm.helpers import run_block
from tests.support.llm_stub import openai_text


@pytest.mark.parametrize(
    ("reply", "parsed"),
    [
        ('{"a": 1}', {"a": 1}),
        ('Sure!\n```json\n{"a": [1, 2]}\n```\nAnything else?', {"a": [1, 2]}),
        ('Here you go: {"a": "b"} -- enjoy', {"a": "b"}),
        ('["x", "y"]', ["x", "y"]),
    ],
)
def test_json_is_found_in_chatty_replies(reply, parsed):
    assert parse_json_reply(reply) == parsed


def test_unparseable_reply_is_a_value_error():
    with pytest.raises(ValueError, match="JSON decode error"):
        parse_json_reply("no json here")


def test_templates_render_and_bad_ones_are_value_errors():
    assert format_prompt("Hi {{ name }}{{missing}}!", {"name": "Ada"}) == "Hi Ada!"
    assert format_prompt("{{untouched}}", {}) == "{{untouched}}"  # no values: left verbatim
    with pytest.raises(ValueError, match="Invalid prompt template"):
        format_prompt("{{ broken", {"x": "1"})


def test_compression_trims_the_longest_turn_from_the_middle():
    prompt = [{"role": "system", "content": "short"}, {"role": "user", "content": "a" * 4000 + "b" * 4000}]
    trimmed = compress_prompt(prompt, budget_tokens=1000)
    assert estimate_tokens(trimmed) <= 1000
    assert trimmed[0] == prompt[0]
    assert trimmed[1]["content"].startswith("aaa") and trimmed[1]["content"].endswith("bbb")
    assert "truncated" in trimmed[1]["content"]
    assert prompt[1]["content"] == "a" * 4000 + "b" * 4000  # the input is not modified


def test_ollama_models_use_the_ollama_host(llm_stub):
    c = APIKeyCredentials(provider="ollama", api_key="unused")  # type: ignore[arg-type]
    meta = {"id": c.id, "provider": "ollama", "type": "api_key"}
    llm_stub.queue(openai_text("local llama"))
    host = llm_stub.url.removeprefix("http://")
    outputs, _ = run_block(
        "1f292d4a-41a4-4977-9684-7c8d560b9f91",
        {"prompt": "hi", "model": "llama3.2", "ollama_host": host, "credentials": meta},
        credentials=c,
    )
    assert outputs[0] == ("response", "local llama")
    assert llm_stub.requests[0].path == "/v1/chat/completions"
    assert llm_stub.requests[0].body["model"] == "llama3.2"
