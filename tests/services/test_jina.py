"""SearchTheWebBlock and ExtractWebsiteContentBlock against a Jina stub (s.jina.ai, r.jina.ai)."""

from __future__ import annotations

from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, link, node
from tests.support.service_fakes import jina_routes
from tests.support.service_stub import add_credential, node_runs, run_with, service_stub

SEARCH = "87840993-2053-44b7-8da4-187ad4ee518c"
EXTRACT = "436c3984-57fd-4b85-8e9a-459b356883bd"
KEY = "jina_live_7f3a9c-secret"
RESULTS = "[1] Title: AutoGPT\n[1] URL Source: https://agpt.co\n[1] Description: Build agents"
PAGE = "Title: AutoGPT\n\nURL Source: https://agpt.co/\n\nMarkdown Content:\n# Build AI agents"


def _graph(block_id: str, pin: str, output: str, **defaults):
    return {
        "name": "Jina",
        "nodes": [
            node("in", AGENT_INPUT, name="q"),
            node("jina", block_id, **defaults),
            node("out", AGENT_OUTPUT, name="out"),
        ],
        "links": [link("in", "result", "jina", pin), link("jina", output, "out", "value")],
    }


def test_search_sends_the_query_in_the_path_with_the_key(api, kms_key, monkeypatch):
    routes = jina_routes({"/AutoGPT%20agents%3F": RESULTS}, KEY)
    with service_stub(monkeypatch, ["s.jina.ai"], routes) as jina:
        meta = add_credential(api, "jina", api_key=KEY)
        _, run = run_with(api, _graph(SEARCH, "query", "results"), {"q": "AutoGPT agents?"}, meta)
    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {"out": [RESULTS]}
    (request,) = jina.requests
    assert request.method == "GET"
    assert request.headers["Host"] == "s.jina.ai"
    assert request.headers["Authorization"] == f"Bearer {KEY}"


def test_search_rejected_key_fails_the_node_with_jinas_message_and_no_key(api, kms_key, monkeypatch):
    with service_stub(monkeypatch, ["s.jina.ai"], jina_routes({"/x": RESULTS}, "another-key")):
        meta = add_credential(api, "jina", api_key=KEY)
        created, run = run_with(api, _graph(SEARCH, "query", "results"), {"q": "x"}, meta)
    (search,) = node_runs(run, created, SEARCH)
    assert search["status"] == "FAILED"
    (error,) = search["output_data"]["error"]
    assert error == (
        "raised by SearchTheWebBlock with message: Search request failed: Jina API error 401: "
        "AuthenticationRequiredError: Invalid API key: ***. "
        f"block_id: {SEARCH}"
    )
    assert KEY not in str(run)


def test_search_server_error_reads_as_service_unavailable(api, kms_key, monkeypatch):
    routes = {"/x": lambda req: (503, {"Content-Type": "text/plain"}, b"upstream overloaded")}
    with service_stub(monkeypatch, ["s.jina.ai"], routes):
        meta = add_credential(api, "jina", api_key=KEY)
        created, run = run_with(api, _graph(SEARCH, "query", "results"), {"q": "x"}, meta)
    (search,) = node_runs(run, created, SEARCH)
    assert search["output_data"]["error"] == [
        "raised by SearchTheWebBlock with message: Search service unavailable: "
        f"Jina API error 503: upstream overloaded. block_id: {SEARCH}"
    ]


def test_extract_reads_the_page_through_jina_reader(api, kms_key, monkeypatch):
    with service_stub(monkeypatch, ["r.jina.ai"], jina_routes({"/https://agpt.co/": PAGE}, KEY)) as jina:
        meta = add_credential(api, "jina", api_key=KEY)
        _, run = run_with(api, _graph(EXTRACT, "url", "content"), {"q": "https://agpt.co/"}, meta)
    assert run["outputs"] == {"out": [PAGE]}
    assert [(r.path, r.headers["Host"]) for r in jina.requests] == [("/https://agpt.co/", "r.jina.ai")]


def test_extract_raw_content_fetches_the_page_itself_without_the_key(api, kms_key, monkeypatch):
    page = {"/about": lambda req: (200, {"Content-Type": "text/html"}, b"<h1>About</h1>")}
    with service_stub(monkeypatch, ["agpt.example"], page) as site:
        meta = add_credential(api, "jina", api_key=KEY)
        graph = _graph(EXTRACT, "url", "content", raw_content=True)
        _, run = run_with(api, graph, {"q": "https://agpt.example/about"}, meta)
    assert run["outputs"] == {"out": ["<h1>About</h1>"]}
    (request,) = site.requests
    assert "Authorization" not in request.headers


def test_extract_reader_failure_fails_the_node(api, kms_key, monkeypatch):
    routes = {
        "/https://down.example/": lambda req: (
            502,
            {"Content-Type": "application/json"},
            b'{"message": "Bad gateway"}',
        )
    }
    with service_stub(monkeypatch, ["r.jina.ai"], routes):
        meta = add_credential(api, "jina", api_key=KEY)
        created, run = run_with(api, _graph(EXTRACT, "url", "content"), {"q": "https://down.example/"}, meta)
    (extract,) = node_runs(run, created, EXTRACT)
    assert extract["status"] == "FAILED"
    assert extract["output_data"]["error"] == [
        f"raised by ExtractWebsiteContentBlock with message: Jina API error 502: Bad gateway. block_id: {EXTRACT}"
    ]
