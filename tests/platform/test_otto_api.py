"""``POST /api/otto/ask`` proxies to ``OTTO_API_URL`` through the SSRF-safe client: 503
when unset, 502 when Otto fails, the user's own graph attached on request."""

from __future__ import annotations

import json

import pytest

from agentplatform.config import get_settings
from tests.conftest import USER_ID
from tests.support.graphs import STORE_VALUE, node
from tests.support.http_server import json_route, loopback_server

OTTO_HOST = "otto.example.com"
ANSWER = {
    "answer": "Use the builder.",
    "documents": [{"url": "https://docs.example.com/build", "relevance_score": 0.9}],
    "success": True,
}
ASK = {"query": "How do I build an agent?", "conversation_history": [], "message_id": "m1"}


@pytest.fixture
def otto(monkeypatch):
    routes = {"/ask": json_route(200, ANSWER)}
    with loopback_server(routes) as server:
        monkeypatch.setenv("OTTO_API_URL", f"https://{OTTO_HOST}/ask")
        monkeypatch.setenv("OUTBOUND_HOST_OVERRIDES", f"{OTTO_HOST}={server.base_url}")
        get_settings.cache_clear()
        yield server
    get_settings.cache_clear()


def test_unconfigured_otto_answers_503(api, monkeypatch):
    monkeypatch.delenv("OTTO_API_URL", raising=False)
    get_settings.cache_clear()
    resp = api.post("/api/otto/ask", json_body=ASK)
    assert resp.status_code == 503
    assert resp.json()["detail"] == "Otto is not configured: set OTTO_API_URL to the Otto service's URL"


def test_ask_forwards_the_question_and_returns_ottos_answer(api, otto):
    history = [{"query": "What is AutoGPT?", "response": "An agent platform."}]
    resp = api.post("/api/otto/ask", json_body={**ASK, "conversation_history": history})
    assert resp.status_code == 200, resp.content
    assert resp.json() == ANSWER
    [sent] = otto.requests
    assert (sent.method, sent.path, sent.headers["Host"]) == ("POST", "/ask", OTTO_HOST)
    assert json.loads(sent.body) == {
        "query": ASK["query"],
        "conversation_history": history,
        "user_id": USER_ID,
        "message_id": "m1",
    }
    assert "authorization" not in {k.lower() for k in sent.headers}


def test_graph_data_is_the_callers_own_graph_without_credentials(api, other_api, otto):
    graph = {
        "name": "Keeper",
        "description": "keeps a value",
        "nodes": [node("n1", STORE_VALUE, input="v", credentials={"id": "secret-ref"})],
        "links": [],
    }
    graph_id = api.post("/api/graphs", json_body={"graph": graph}).json()["id"]
    ask = {**ASK, "include_graph_data": True, "graph_id": graph_id}
    assert api.post("/api/otto/ask", json_body=ask).status_code == 200
    sent = json.loads(otto.requests[0].body)["graph_data"]
    assert (sent["graph_name"], sent["graph_description"], sent["edges"]) == ("Keeper", "keeps a value", [])
    [sent_node] = sent["nodes"]
    assert sent_node["block_id"] == STORE_VALUE
    assert sent_node["block_name"] == "StoreValueBlock"
    assert sent_node["data"] == {"input": "v"}
    # another user's graph id is not theirs: nothing attached
    assert other_api.post("/api/otto/ask", json_body=ask).status_code == 200
    assert "graph_data" not in json.loads(otto.requests[1].body)


def test_otto_failures_answer_502_without_ottos_body(api, otto):
    otto.routes["/ask"] = json_route(500, {"error": "stack trace with secrets"})
    resp = api.post("/api/otto/ask", json_body=ASK)
    assert resp.status_code == 502
    assert resp.json()["detail"] == "Otto API request failed with status 500"
    otto.routes["/ask"] = json_route(200, {"unexpected": True})
    assert (
        api.post("/api/otto/ask", json_body=ASK).json()["detail"] == "Otto API returned an invalid response"
    )


def test_bad_requests_are_422_and_anonymous_401(api, anonymous_api, otto):
    assert api.post("/api/otto/ask", json_body={}).status_code == 422
    bad_history = {**ASK, "conversation_history": "not a list"}
    assert api.post("/api/otto/ask", json_body=bad_history).status_code == 422
    assert anonymous_api.post("/api/otto/ask", json_body=ASK).status_code == 401
    assert otto.requests == []
