"""ExecuteCodeBlock against a stub of E2B's API, sandbox daemon and code interpreter."""

from __future__ import annotations

import json

from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, link, node
from tests.support.service_fakes import E2B_HOSTS, SANDBOX_ID, SANDBOX_TOKEN, e2b_routes
from tests.support.service_stub import add_credential, node_runs, run_with, service_stub

EXECUTE = "0b02b072-abe7-11ef-8372-fb5d162dd712"
KEY = "e2b_4f1c0a-secret-key"
CODE = "import cowsay\nprint('Hello World')\n6 * 7"
CELL = [
    {"type": "stdout", "text": "Hello World\n", "timestamp": 1},
    {"type": "stderr", "text": "DeprecationWarning\n", "timestamp": 2},
    {"type": "result", "html": "<b>chart</b>", "is_main_result": False},
    {"type": "result", "text": "42", "is_main_result": True, "extra": {"k": 1}},
    {"type": "number_of_executions", "execution_count": 1},
]


def _graph(**defaults):
    pins = ["main_result", "results", "response", "stdout_logs", "stderr_logs"]
    nodes = [node("in", AGENT_INPUT, name="code"), node("run", EXECUTE, **defaults)]
    nodes += [node(pin, AGENT_OUTPUT, name=pin) for pin in pins]
    links = [link("in", "result", "run", "code")] + [link("run", pin, pin, "value") for pin in pins]
    return {"name": "Coder", "nodes": nodes, "links": links}


def test_setup_commands_then_code_then_the_sandbox_is_disposed(api, kms_key, monkeypatch):
    routes = e2b_routes(KEY, {"pip install cowsay": (0, "Successfully installed\n", "")}, {CODE: CELL})
    with service_stub(monkeypatch, E2B_HOSTS, routes) as e2b:
        meta = add_credential(api, "e2b", api_key=KEY)
        _, run = run_with(
            api, _graph(setup_commands=["pip install cowsay"], timeout=120), {"code": CODE}, meta
        )
    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {
        "main_result": [{"text": "42", "extra": {"k": 1}}],
        "results": [
            [
                {"html": "<b>chart</b>", "is_main_result": False},
                {"text": "42", "extra": {"k": 1}, "is_main_result": True},
            ]
        ],
        "response": ["42"],
        "stdout_logs": ["Hello World\n"],
        "stderr_logs": ["DeprecationWarning\n"],
    }
    calls = [(r.method, r.headers["Host"], r.path) for r in e2b.requests]
    assert calls == [
        ("POST", "api.e2b.app", "/sandboxes"),
        ("POST", f"49983-{SANDBOX_ID}.e2b.app", "/process.Process/Start"),
        ("POST", f"49999-{SANDBOX_ID}.e2b.app", "/execute"),
        ("DELETE", "api.e2b.app", f"/sandboxes/{SANDBOX_ID}"),
    ]
    assert json.loads(e2b.requests[0].body) == {
        "templateID": "code-interpreter-v1",
        "timeout": 120,
        "secure": True,
    }
    assert json.loads(e2b.requests[2].body) == {
        "code": CODE,
        "context_id": None,
        "language": "python",
        "env_vars": None,
    }


def test_a_kept_sandbox_is_not_deleted(api, kms_key, monkeypatch):
    with service_stub(monkeypatch, E2B_HOSTS, e2b_routes(KEY, {}, {"1": []})) as e2b:
        meta = add_credential(api, "e2b", api_key=KEY)
        _, run = run_with(api, _graph(dispose_sandbox=False, template_id="my-template"), {"code": "1"}, meta)
    assert run["outputs"] == {"results": [[]]}
    assert [r.method for r in e2b.requests] == ["POST", "POST"]
    assert json.loads(e2b.requests[0].body)["templateID"] == "my-template"


def test_a_failing_setup_command_fails_the_node_and_disposes_of_the_sandbox(api, kms_key, monkeypatch):
    routes = e2b_routes(KEY, {"apt install nope": (100, "", "E: Unable to locate package nope\n")}, {})
    with service_stub(monkeypatch, E2B_HOSTS, routes) as e2b:
        meta = add_credential(api, "e2b", api_key=KEY)
        graph = _graph(setup_commands=["apt install nope"], dispose_sandbox=False)
        created, run = run_with(api, graph, {"code": "1"}, meta)
    (node_run,) = node_runs(run, created, EXECUTE)
    assert node_run["status"] == "FAILED"
    assert node_run["output_data"]["error"] == [
        "raised by ExecuteCodeBlock with message: Command exited with code 100 and error:\n"
        f"E: Unable to locate package nope\n. block_id: {EXECUTE}"
    ]
    assert e2b.requests[-1].method == "DELETE"


def test_an_exception_in_the_code_fails_the_node_with_its_traceback(api, kms_key, monkeypatch):
    error = {
        "type": "error",
        "name": "NameError",
        "value": "name 'x' is not defined",
        "traceback": "Cell In[1], line 1",
    }
    with service_stub(monkeypatch, E2B_HOSTS, e2b_routes(KEY, {}, {"x": [error]})):
        meta = add_credential(api, "e2b", api_key=KEY)
        created, run = run_with(api, _graph(), {"code": "x"}, meta)
    (node_run,) = node_runs(run, created, EXECUTE)
    assert node_run["output_data"]["error"] == [
        "raised by ExecuteCodeBlock with message: NameError: name 'x' is not defined\n"
        f"Cell In[1], line 1. block_id: {EXECUTE}"
    ]


def test_a_rejected_api_key_fails_the_node_without_the_key(api, kms_key, monkeypatch):
    with service_stub(monkeypatch, E2B_HOSTS, e2b_routes("another-key", {}, {})) as e2b:
        meta = add_credential(api, "e2b", api_key=KEY)
        created, run = run_with(api, _graph(), {"code": "1"}, meta)
    (node_run,) = node_runs(run, created, EXECUTE)
    assert node_run["output_data"]["error"] == [
        f"raised by ExecuteCodeBlock with message: E2B API error 401: Invalid API key: ***. block_id: {EXECUTE}"
    ]
    assert KEY not in str(run) and SANDBOX_TOKEN not in str(run)
    assert len(e2b.requests) == 1
