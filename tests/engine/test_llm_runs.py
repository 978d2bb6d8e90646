"""Graph runs with AI blocks on the local cloud, against loopback LLM stubs, with
credentials created through the integrations API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentplatform.store import keys
from agentplatform.store.table import Table, unpack
from tests.conftest import USER_ID
from tests.support.credentials import kms_key
from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, link, node
from tests.support.llm_stub import LLMStub, llm_stub, openai_text
from tests.support.runs import create_graph, node_ids, wait_for

__all__ = ["kms_key", "llm_stub"]

TEXT = "1f292d4a-41a4-4977-9684-7c8d560b9f91"
SECRET = "sk-e2e-5e1f-secret-value"
AGENTS = Path("/work/shared/reference/autogpt-agents")


def _credential(api: Any, stub: LLMStub, provider: str = "openai") -> dict[str, Any]:
    resp = api.post(
        f"/api/integrations/{provider}/credentials",
        json_body={"type": "api_key", "api_key": SECRET, "title": "stub", "base_url": stub.openai_base_url},
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    return {"id": body["id"], "provider": provider, "type": "api_key", "title": "stub"}


def _execute(api: Any, graph: dict[str, Any], inputs: dict[str, Any], credentials_inputs: dict[str, Any]):
    return api.post(
        f"/api/graphs/{graph['id']}/execute/{graph['version']}",
        json_body={"inputs": inputs, "credentials_inputs": credentials_inputs},
    )


def _text_graph(**text_defaults: Any) -> dict[str, Any]:
    return {
        "name": "Haiku writer",
        "nodes": [
            node("in", AGENT_INPUT, name="topic"),
            node("llm", TEXT, model="gpt-4o", prompt="Write a haiku about {{topic}}.", **text_defaults),
            node("out", AGENT_OUTPUT, name="haiku"),
        ],
        "links": [
            link("in", "result", "llm", "prompt_values_#_topic"),
            link("llm", "response", "out", "value"),
        ],
    }


def _node_items(graph_exec_id: str) -> list[dict[str, Any]]:
    return list(Table().query(keys.graph_exec_pk(USER_ID, graph_exec_id), prefix=keys.NODE_EXEC_PREFIX))


def _whole_table_as_text() -> str:
    from agentplatform.aws import client
    from agentplatform.config import get_settings
    from agentplatform.store.table import from_attrs

    parts = []
    for page in client("dynamodb").get_paginator("scan").paginate(TableName=get_settings().table_name):
        for item in map(from_attrs, page["Items"]):
            for value in item.values():
                if isinstance(value, bytes):
                    try:
                        value = unpack(value)
                    except Exception:
                        value = value.decode("latin-1")
                parts.append(json.dumps(value, default=str))
    return "\n".join(parts)


def _events_from_stream_records(graph_exec_id: str) -> list[str]:
    """The events the stream Lambda would publish for the run's current items."""
    from agentplatform.aws import client
    from agentplatform.config import get_settings
    from agentplatform.events.build import change_from_record

    resp = client("dynamodb").query(
        TableName=get_settings().table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.graph_exec_pk(USER_ID, graph_exec_id)}},
    )
    events = []
    for image in resp["Items"]:
        change = change_from_record({"eventName": "MODIFY", "dynamodb": {"NewImage": image}})
        if change is not None:
            events.append(json.dumps(change.data))
    return events


def test_input_to_text_generator_to_output_with_api_credentials(api, kms_key, llm_stub):
    llm_stub.queue(openai_text("Bees hum in the sun", prompt_tokens=30, completion_tokens=6))
    created = create_graph(api, _text_graph())
    assert list(created["credentials_input_schema"]["properties"]) == ["openai_api_key_credentials"]
    assert created["credentials_input_schema"]["required"] == ["openai_api_key_credentials"]
    meta = _credential(api, llm_stub)

    started = _execute(api, created, {"topic": "bees"}, {"openai_api_key_credentials": meta})
    assert started.status_code == 200, started.content
    run = wait_for(api, created["id"], started.json()["id"])

    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {"haiku": ["Bees hum in the sun"]}
    (request,) = llm_stub.requests
    assert request.body["messages"] == [{"role": "user", "content": "Write a haiku about bees."}]
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    llm_id = node_ids(created)["1"]
    (llm_exec,) = [n for n in run["node_executions"] if n["node_id"] == llm_id]
    assert llm_exec["input_data"]["credentials"] == meta
    stats = [unpack(i["stats"]) for i in _node_items(run["id"]) if i.get("node_id") == llm_id]
    assert stats == [{"llm_call_count": 1, "input_token_count": 30, "output_token_count": 6}]
    assert {k: run["stats"][k] for k in ("llm_call_count", "input_token_count", "output_token_count")} == {
        "llm_call_count": 1,
        "input_token_count": 30,
        "output_token_count": 6,
    }

    everything = json.dumps(run) + json.dumps(api.get(f"/api/graphs/{created['id']}/executions").json())
    assert SECRET not in everything
    table_text = _whole_table_as_text()
    assert "Bees hum in the sun" in table_text  # the scan does see stored values
    assert SECRET not in table_text  # no item of the table holds it in clear
    events = _events_from_stream_records(run["id"])
    assert any("Bees hum in the sun" in e for e in events)
    assert all(SECRET not in e for e in events)


def test_missing_and_foreign_credentials_are_rejected_with_the_spec_messages(
    api, other_api, kms_key, llm_stub
):
    created = create_graph(api, _text_graph())
    llm_id = node_ids(created)["1"]
    missing = _execute(api, created, {"topic": "x"}, {})
    assert missing.status_code == 400
    assert missing.json()["detail"]["node_errors"] == {
        llm_id: {
            "credentials": "These credentials are required: send credentials_inputs.openai_api_key_credentials"
            " naming a stored openai credential (api_key)"
        }
    }

    foreign = _credential(other_api, llm_stub)
    resp = _execute(api, created, {"topic": "x"}, {"openai_api_key_credentials": foreign})
    assert resp.status_code == 400
    assert resp.json()["detail"]["node_errors"] == {
        llm_id: {"credentials": f"Unknown credentials #{foreign['id']}"}
    }
    assert llm_stub.requests == []


def test_optional_credentials_missing_skips_the_node_and_the_run_completes(api, kms_key, llm_stub):
    graph = _text_graph()
    graph["nodes"][1]["metadata"] = {"credentials_optional": True}
    created = create_graph(api, graph)
    assert created["credentials_input_schema"]["required"] == []
    started = _execute(api, created, {"topic": "bees"}, {})
    assert started.status_code == 200, started.content
    run = wait_for(api, created["id"], started.json()["id"])

    assert run["status"] == "COMPLETED"
    llm_id = node_ids(created)["1"]
    (llm_exec,) = [n for n in run["node_executions"] if n["node_id"] == llm_id]
    assert llm_exec["status"] == "COMPLETED"
    assert llm_exec["output_data"] == {}
    assert run["outputs"] == {}
    assert llm_stub.requests == []


def test_ai_function_export_imports_unchanged_and_runs(api, kms_key, llm_stub):
    export = json.loads((AGENTS / "agent_516d813b-d1bc-470f-add7-c63a4b2c2bad.json").read_text())
    resp = api.post("/api/graphs", json_body={"graph": export})
    assert resp.status_code == 200, resp.content
    created = resp.json()
    assert list(created["credentials_input_schema"]["properties"]) == ["openai_api_key_credentials"]
    llm_stub.queue(openai_text('[{"name": "Ada", "age": 36}]'))

    meta = _credential(api, llm_stub)
    started = _execute(api, created, {}, {"openai_api_key_credentials": meta})
    assert started.status_code == 200, started.content
    run = wait_for(api, created["id"], started.json()["id"])

    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {"return": ['[{"name": "Ada", "age": 36}]']}
    (request,) = llm_stub.requests
    assert request.body["model"] == "o3-mini"
    system, user = request.body["messages"]
    assert "def fake_people(n: int) -> list[dict]:" in system["content"]
    assert "Generates n examples of fake data" in system["content"]
    assert user == {"role": "user", "content": "20"}


SDM = "3b191d9f-356f-482d-8238-ba04b6d18381"
WORD_COUNT = "ab2a782d-22cf-4587-8a70-55b59b3f9f90"


def test_smart_decision_maker_tool_loop_runs_to_finished(api, kms_key, llm_stub):
    from tests.support.llm_stub import openai_tool_calls

    graph = {
        "name": "Counter agent",
        "nodes": [
            node("in", AGENT_INPUT, name="text"),
            node("sdm", SDM, model="gpt-4o", prompt="Count the words in: {{text}}"),
            node("count", WORD_COUNT),
            node("out", AGENT_OUTPUT, name="answer"),
        ],
        "links": [
            link("in", "result", "sdm", "prompt_values_#_text"),
            link("sdm", "tools_^_count_~_text", "count", "text"),
            link("count", "word_count", "sdm", "last_tool_output"),
            link("sdm", "conversations", "sdm", "conversation_history"),
            link("sdm", "finished", "out", "value"),
        ],
    }
    created = create_graph(api, graph)
    llm_stub.queue(
        openai_tool_calls(("wordcharactercountblock", {"text": "one two three"})),
        openai_text("There are 3 words."),
    )
    meta = _credential(api, llm_stub)
    started = _execute(api, created, {"text": "one two three"}, {"openai_api_key_credentials": meta})
    assert started.status_code == 200, started.content
    run = wait_for(api, created["id"], started.json()["id"])

    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {"answer": ["There are 3 words."]}
    first, second = (r.body for r in llm_stub.requests)
    assert [t["function"]["name"] for t in first["tools"]] == ["wordcharactercountblock"]
    assert second["messages"][-1]["role"] == "tool"
    assert second["messages"][-1]["content"] == "3"
    sdm_id = node_ids(created)["1"]
    assert [n["status"] for n in run["node_executions"] if n["node_id"] == sdm_id] == [
        "COMPLETED",
        "COMPLETED",
    ]


def test_optional_credentials_on_a_starting_node_also_skips(api, kms_key, llm_stub):
    lone = node("llm", TEXT, model="gpt-4o", prompt="hello")
    lone["metadata"] = {"credentials_optional": True}
    created = create_graph(api, {"name": "Lone", "nodes": [lone], "links": []})
    started = _execute(api, created, {}, {})
    assert started.status_code == 200, started.content
    run = wait_for(api, created["id"], started.json()["id"])
    assert run["status"] == "COMPLETED"
    assert [(n["status"], n["output_data"]) for n in run["node_executions"]] == [("COMPLETED", {})]
    assert llm_stub.requests == []
