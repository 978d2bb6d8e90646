"""The AI blocks against loopback stubs speaking the real OpenAI and Anthropic formats."""

from __future__ import annotations

import pytest

from agentplatform.blocks.block import BlockError
from tests.llm.helpers import SECRET, creds, meta, run_block
from tests.support.llm_stub import (
    anthropic_error,
    anthropic_text,
    openai_error,
    openai_text,
)

TEXT = "1f292d4a-41a4-4977-9684-7c8d560b9f91"
STRUCTURED = "ed55ac19-356e-4243-a6cb-bc599e9b716f"
SUMMARIZER = "a0a69be1-4528-491c-a85a-a4ab6873e3f0"
CONVERSATION = "32a87eab-381e-4dd4-bdb8-4c47151be35a"
LIST = "9c0b0450-d199-458b-a731-072189dd6593"


def test_text_generator_fills_prompt_values_and_reports_usage(llm_stub):
    c = creds(llm_stub.openai_base_url)
    llm_stub.queue(openai_text("Bonjour, Ada!", prompt_tokens=21, completion_tokens=4))
    outputs, stats = run_block(
        TEXT,
        {
            "prompt": "Greet {{name}} in {{ language }}.",
            "sys_prompt": "You speak {{language}}.",
            "prompt_values": {"name": "Ada", "language": "French"},
            "model": "gpt-4o",
            "credentials": meta(c),
        },
        credentials=c,
    )
    expected_prompt = [
        {"role": "system", "content": "You speak French."},
        {"role": "user", "content": "Greet Ada in French."},
    ]
    assert outputs == [("response", "Bonjour, Ada!"), ("prompt", expected_prompt)]
    (request,) = llm_stub.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    assert request.body["model"] == "gpt-4o"
    assert request.body["messages"] == expected_prompt
    assert stats.as_dict() == {
        "llm_call_count": 1,
        "llm_retry_count": 0,
        "input_token_count": 21,
        "output_token_count": 4,
        "extra_cost": 0,
        "extra_steps": 0,
    }


def test_rate_limit_is_retried_then_succeeds(llm_stub):
    c = creds(llm_stub.openai_base_url)
    llm_stub.queue(openai_error(429, "Rate limit reached", retry_after="0"), openai_text("after the wait"))
    outputs, stats = run_block(TEXT, {"prompt": "hi", "credentials": meta(c)}, credentials=c)
    assert outputs[0] == ("response", "after the wait")
    assert len(llm_stub.requests) == 2
    assert stats.llm_call_count == 1
    assert stats.llm_retry_count == 1


def test_bad_key_fails_fast_and_never_echoes_the_key(llm_stub):
    c = creds(llm_stub.openai_base_url)
    llm_stub.expected_key = "the-right-key"
    with pytest.raises(BlockError) as raised:
        run_block(TEXT, {"prompt": "hi", "credentials": meta(c)}, credentials=c)
    message = str(raised.value)
    assert "openai API error 401: Incorrect API key provided: ***" in message
    assert SECRET not in message
    assert len(llm_stub.requests) == 1  # an auth error is not retried


def test_private_endpoint_needs_trust(llm_stub, monkeypatch):
    from agentplatform.config import get_settings

    monkeypatch.setenv("TRUST_ENDPOINTS_FOR_REQUESTS", "")
    get_settings.cache_clear()
    c = creds(llm_stub.openai_base_url)
    with pytest.raises(BlockError, match=r"Access to blocked or private IP address 127\.0\.0\.1"):
        run_block(TEXT, {"prompt": "hi", "credentials": meta(c)}, credentials=c)
    assert llm_stub.requests == []


def test_anthropic_messages_wire_format(llm_stub):
    c = creds(llm_stub.url, provider="anthropic")
    llm_stub.queue(anthropic_text("Claude here"))
    outputs, stats = run_block(
        TEXT,
        {
            "prompt": "Who are you?",
            "sys_prompt": "Be brief.",
            "model": "claude-sonnet-4-5-20250929",
            "max_tokens": 100,
            "credentials": meta(c),
        },
        credentials=c,
    )
    assert outputs[0] == ("response", "Claude here")
    (request,) = llm_stub.requests
    assert request.path == "/v1/messages"
    assert request.headers["x-api-key"] == SECRET
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.body == {
        "model": "claude-sonnet-4-5-20250929",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "Who are you?"}],
        "system": "Be brief.",
    }
    assert (stats.input_token_count, stats.output_token_count) == (13, 5)


def test_anthropic_overload_is_retried(llm_stub):
    c = creds(llm_stub.url, provider="anthropic")
    llm_stub.queue(anthropic_error(429, "slow down", retry_after="0"), anthropic_text("ok"))
    outputs, stats = run_block(
        TEXT, {"prompt": "x", "model": "claude-haiku-4-5-20251001", "credentials": meta(c)}, credentials=c
    )
    assert outputs[0] == ("response", "ok")
    assert stats.llm_retry_count == 1


def test_structured_response_retries_until_the_format_matches(llm_stub):
    c = creds(llm_stub.openai_base_url)
    llm_stub.queue(
        openai_text("not json at all"),
        openai_text('{"title": "T"}'),
        openai_text('```json\n{"title": "T", "body": "B"}\n```'),
    )
    outputs, stats = run_block(
        STRUCTURED,
        {
            "prompt": "Write a post about {{topic}}",
            "prompt_values": {"topic": "bees"},
            "expected_format": {"title": "The title", "body": "The body"},
            "credentials": meta(c),
        },
        credentials=c,
    )
    assert outputs[0] == ("response", {"title": "T", "body": "B"})
    assert outputs[1][0] == "prompt"
    assert len(llm_stub.requests) == 3
    retry_turn = llm_stub.requests[2].body["messages"][-1]
    assert retry_turn["role"] == "user"
    assert "Missing keys: ['body']" in retry_turn["content"]
    format_turn = llm_stub.requests[0].body["messages"][0]
    assert format_turn["role"] == "system"
    assert '"title": "The title"' in format_turn["content"]
    assert (stats.llm_call_count, stats.llm_retry_count) == (3, 2)


def test_structured_response_gives_up_after_retry_attempts(llm_stub):
    c = creds(llm_stub.openai_base_url)
    llm_stub.queue(openai_text("nope"), openai_text("still nope"))
    with pytest.raises(BlockError, match="JSON decode error"):
        run_block(
            STRUCTURED,
            {"prompt": "x", "expected_format": {"a": "b"}, "retry": 2, "credentials": meta(c)},
            credentials=c,
        )
    assert len(llm_stub.requests) == 2


def test_structured_list_result(llm_stub):
    c = creds(llm_stub.openai_base_url)
    llm_stub.queue(openai_text('{"results": [{"name": "a"}, {"name": "b"}]}'))
    outputs, _ = run_block(
        STRUCTURED,
        {
            "prompt": "x",
            "expected_format": {"name": "n"},
            "list_result": True,
            "force_json_output": True,
            "credentials": meta(c),
        },
        credentials=c,
    )
    assert outputs[0] == ("response", [{"name": "a"}, {"name": "b"}])
    assert llm_stub.requests[0].body["response_format"] == {"type": "json_object"}


def test_list_generator_yields_the_list_then_each_item(llm_stub):
    c = creds(llm_stub.openai_base_url)
    llm_stub.queue(openai_text('{"list": ["Mercury", "Venus"]}'))
    outputs, _ = run_block(LIST, {"focus": "planets", "credentials": meta(c)}, credentials=c)
    assert [pin for pin, _ in outputs] == ["generated_list", "prompt", "list_item", "list_item"]
    assert outputs[0] == ("generated_list", ["Mercury", "Venus"])
    assert outputs[2:] == [("list_item", "Mercury"), ("list_item", "Venus")]


def test_conversation_sends_the_messages(llm_stub):
    c = creds(llm_stub.openai_base_url)
    messages = [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "Hi"},
    ]
    outputs, _ = run_block(CONVERSATION, {"messages": messages, "credentials": meta(c)}, credentials=c)
    assert outputs[0] == ("response", "Hello from the stub")
    assert llm_stub.requests[0].body["messages"] == messages


def test_summarizer_summarizes_chunks_then_combines(llm_stub):
    c = creds(llm_stub.openai_base_url)
    llm_stub.queue(
        openai_text('{"summary": "first half"}'),
        openai_text('{"summary": "second half"}'),
        openai_text('{"final_summary": "the whole"}'),
    )
    text = " ".join(f"w{i}" for i in range(30))
    outputs, stats = run_block(
        SUMMARIZER,
        {"text": text, "max_tokens": 20, "chunk_overlap": 5, "credentials": meta(c)},
        credentials=c,
    )
    assert outputs[0] == ("summary", "the whole")
    assert len(llm_stub.requests) == 2 + 1  # chunks start at words 0 and 15
    assert "w0 w1" in llm_stub.requests[0].body["messages"][-1]["content"]
    assert "first half\n\nsecond half" in llm_stub.requests[2].body["messages"][-1]["content"]
    assert stats.llm_call_count == 3


def test_block_costs_are_per_model():
    from agentplatform.blocks.registry import get_block

    block = get_block(TEXT)
    assert block is not None
    costs = {cost.cost_filter["model"]: cost.cost_amount for cost in block.costs}
    assert costs["gpt-4o"] == 3
    assert costs["claude-sonnet-4-5-20250929"] == 9
    assert len(costs) == len(block.costs)


def test_the_api_key_never_reaches_a_log_line(llm_stub, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    c = creds(llm_stub.openai_base_url)
    llm_stub.queue(openai_error(429, "wait", retry_after="0"))
    run_block(TEXT, {"prompt": "hi", "credentials": meta(c)}, credentials=c)
    llm_stub.expected_key = "other"
    with pytest.raises(BlockError):
        run_block(TEXT, {"prompt": "hi", "credentials": meta(c)}, credentials=c)
    assert caplog.records
    assert SECRET not in caplog.text
