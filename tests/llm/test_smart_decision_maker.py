"""SmartDecisionMaker: tools built from the graph's links, tool pins, and the loop."""

from __future__ import annotations

import json

from agentplatform.blocks.block import BlockError
from agentplatform.models.graph import BaseGraph, Link, Node
from tests.llm.helpers import creds, meta, run_block
from tests.support.llm_stub import anthropic_text, anthropic_tool_use, openai_text, openai_tool_calls

SDM = "3b191d9f-356f-482d-8238-ba04b6d18381"
STORE_VALUE = "1ff065e9-88e8-4358-9d82-8dc91f622ba9"
AGENT_OUTPUT = "363ae599-353e-4804-937e-b2ee3cef3da4"


def _graph() -> BaseGraph:
    return BaseGraph(
        id="g1",
        nodes=[
            Node(id="sdm", block_id=SDM),
            Node(id="store", block_id=STORE_VALUE, metadata={"customized_name": "Save It"}),
            Node(id="out", block_id=AGENT_OUTPUT, input_default={"name": "answer"}),
        ],
        links=[
            Link(source_id="sdm", sink_id="store", source_name="tools", sink_name="input"),
            # Exported agents carry the legacy tool pin name on the link.
            Link(
                source_id="sdm",
                sink_id="out",
                source_name="tools_^_agentoutputblock_~_value",
                sink_name="value",
            ),
            Link(source_id="store", sink_id="sdm", source_name="output", sink_name="last_tool_output"),
        ],
    )


def _run(c, data, **extra):
    return run_block(
        SDM, {"credentials": meta(c), **data}, credentials=c, graph=_graph(), node_id="sdm", **extra
    )


def test_tool_call_becomes_tool_pin_outputs_and_loop_finishes(llm_stub):
    c = creds(llm_stub.openai_base_url)
    llm_stub.queue(openai_tool_calls(("save_it", {"input": "a red apple"})))
    outputs, stats = _run(c, {"prompt": "Remember {{thing}}", "prompt_values": {"thing": "the apple"}})
    assert outputs[0] == ("tools_^_store_~_input", "a red apple")
    assert outputs[1][0] == "conversations"
    conversation = outputs[1][1]
    assert [m["role"] for m in conversation] == ["system", "user", "assistant"]
    assert conversation[1]["content"] == "[Main Objective Prompt]: Remember the apple"
    call_id = conversation[2]["tool_calls"][0]["id"]

    request = llm_stub.requests[0].body
    tools = {t["function"]["name"]: t["function"] for t in request["tools"]}
    assert set(tools) == {"save_it", "agentoutputblock"}
    assert tools["save_it"]["parameters"]["properties"]["input"]["description"].startswith(
        "Trigger the block"
    )
    assert tools["save_it"]["parameters"]["required"] == ["input"]
    assert tools["agentoutputblock"]["parameters"]["properties"].keys() == {"value"}
    assert request["parallel_tool_calls"] is False
    assert stats.llm_call_count == 1

    llm_stub.queue(openai_text("All done."))
    outputs, _ = _run(
        c,
        {"prompt": "Remember {{thing}}", "conversation_history": conversation, "last_tool_output": "stored"},
    )
    assert outputs == [("finished", "All done.")]
    sent = llm_stub.requests[1].body["messages"]
    assert sent[3] == {"role": "tool", "tool_call_id": call_id, "content": "stored"}
    assert len(sent) == 4  # the objective prompts are not repeated


def test_invalid_tool_call_is_retried_with_feedback(llm_stub):
    c = creds(llm_stub.openai_base_url)
    llm_stub.queue(
        openai_tool_calls(("no_such_tool", {})),
        openai_tool_calls(("agentoutputblock", {"value": 42})),
    )
    outputs, stats = _run(c, {"prompt": "go"})
    assert outputs[0] == ("tools_^_out_~_value", 42)
    feedback = llm_stub.requests[1].body["messages"][-1]["content"]
    assert "Tool call for 'no_such_tool' does not match any known tool" in feedback
    assert stats.llm_retry_count == 1


def test_validation_gives_up_after_retries(llm_stub):
    c = creds(llm_stub.openai_base_url)
    llm_stub.queue(openai_tool_calls(("save_it", {"wrong": 1})), openai_tool_calls(("save_it", {"wrong": 1})))
    try:
        _run(c, {"prompt": "go", "retry": 2})
    except BlockError as exc:
        assert "unexpected ['wrong'], missing ['input']" in str(exc)
    else:
        raise AssertionError("expected a BlockError")


def test_anthropic_tool_use_round_trip(llm_stub):
    c = creds(llm_stub.url, provider="anthropic")
    model = "claude-sonnet-4-20250514"
    llm_stub.queue(anthropic_tool_use("save_it", {"input": "pear"}))
    outputs, _ = _run(c, {"prompt": "go", "model": model})
    assert outputs[0] == ("tools_^_store_~_input", "pear")
    conversation = outputs[1][1]
    tool_use = conversation[-1]["content"][1]
    assert tool_use["type"] == "tool_use"
    body = llm_stub.requests[0].body
    assert {t["name"] for t in body["tools"]} == {"save_it", "agentoutputblock"}
    assert body["tools"][0]["input_schema"]["type"] == "object"
    assert body["system"].startswith("[Main Objective Prompt]: ")

    llm_stub.queue(anthropic_text("finished!"))
    outputs, _ = _run(
        c,
        {
            "prompt": "go",
            "model": model,
            "conversation_history": conversation,
            "last_tool_output": {"ok": True},
        },
    )
    assert outputs == [("finished", "finished!")]
    last = llm_stub.requests[1].body["messages"][-1]
    assert last == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": tool_use["id"], "content": json.dumps({"ok": True})}
        ],
    }


def test_readiness_waits_for_the_tool_loop():
    from agentplatform.blocks.registry import get_block

    block = get_block(SDM)
    assert block is not None
    schema = block.input_schema
    base = {"prompt": "p", "credentials": {"id": "x", "provider": "openai", "type": "api_key"}}
    pending = [{"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function"}]}]
    assert schema.get_missing_links(base, {"prompt", "last_tool_output", "conversation_history"}) == set()
    assert schema.get_missing_input(base) == set()
    assert schema.get_missing_input({**base, "conversation_history": pending}) == {"last_tool_output"}
    assert schema.get_missing_input({**base, "last_tool_output": "x"}) == {"conversation_history"}
    assert (
        schema.get_missing_input({**base, "conversation_history": pending, "last_tool_output": "x"}) == set()
    )


def test_outside_a_graph_there_are_no_tools(llm_stub):
    c = creds(llm_stub.openai_base_url)
    llm_stub.queue(openai_text("Nothing to do."))
    outputs, _ = run_block(SDM, {"credentials": meta(c), "prompt": "hi"}, credentials=c, user_id="u")
    assert outputs == [("finished", "Nothing to do.")]
    assert "tools" not in llm_stub.requests[0].body


def test_second_of_two_parallel_calls_waits_for_its_result(llm_stub):
    c = creds(llm_stub.openai_base_url)
    llm_stub.queue(openai_tool_calls(("save_it", {"input": "a"}), ("agentoutputblock", {"value": "b"})))
    outputs, _ = _run(c, {"prompt": "go", "multiple_tool_calls": True})
    assert [pin for pin, _ in outputs] == ["tools_^_store_~_input", "tools_^_out_~_value", "conversations"]
    conversation = outputs[-1][1]
    outputs, _ = _run(c, {"prompt": "go", "conversation_history": conversation, "last_tool_output": "first"})
    assert [pin for pin, _ in outputs] == ["conversations"]  # the second call is still pending
    assert outputs[0][1][-1]["content"] == "first"
    assert len(llm_stub.requests) == 1
