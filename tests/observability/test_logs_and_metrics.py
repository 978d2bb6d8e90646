"""Every Lambda logs structured JSON with its correlation keys; run changes are counted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import USER_ID
from tests.observability.conftest import metric_values
from tests.ws.support import RunWriter

ROOT = Path(__file__).resolve().parents[2]
SERVICE = (("service", "agentplatform"),)


def test_a_rest_request_logs_one_access_line_keyed_by_request_and_user(api, log_lines):
    assert api.get("/api/graphs").status_code == 200

    (line,) = log_lines.with_message("GET /api/graphs 200")
    assert line["level"] == "INFO"
    assert line["service"] == "agentplatform"
    assert (line["http_method"], line["path"], line["status"]) == ("GET", "/api/graphs", 200)
    assert line["user_id"] == USER_ID
    assert line["request_id"] and line["function_request_id"]
    assert line["function_name"] == "rest-graphs"
    assert isinstance(line["duration_ms"], float)


def test_a_client_error_is_logged_with_what_went_wrong(api, log_lines):
    bad = {"graph": {"name": "x", "nodes": [{"id": "n1", "block_id": "no-such-block"}], "links": []}}
    assert api.post("/api/graphs", json_body=bad).status_code == 400

    (failure,) = log_lines.with_message("POST /api/graphs failed")
    assert failure["level"] == "WARNING"
    assert "no-such-block" in failure["message"]
    assert failure["user_id"] == USER_ID
    assert log_lines.with_message("POST /api/graphs 400")


def test_an_event_refused_before_the_app_still_logs_its_access_line(api, log_lines):
    # rest_lambda refuses it before Mangum; the access line escapes what a log cannot hold.
    assert api.get("/api/graphs/x\ud800y").status_code == 400

    (line,) = log_lines.with_message("GET /api/graphs/x\\ud800y 400")  # escaped: a log line cannot hold it
    assert line["path"] == "/api/graphs/x\\ud800y"
    assert line["status"] == 400 and line["request_id"]
    assert line["function_name"] == "rest-graphs"


def test_keys_bound_by_a_request_stay_out_of_the_next_one(api, anonymous_api, log_lines):
    api.get("/api/graphs")
    anonymous_api.get("/api/graphs")

    anonymous = log_lines.with_message("GET /api/graphs 401")[0]
    assert "user_id" not in anonymous
    assert anonymous["cold_start"] is False


def test_a_block_logs_under_its_run_and_node_execution(api, log_lines):
    from tests.support.graphs import AGENT_INPUT, link, node
    from tests.support.runs import run_graph

    print_block = "f3b1c1b2-4c4f-4f0d-8d2f-4c4f0d8d2f4c"
    graph = {
        "name": "Printer",
        "nodes": [node("in", AGENT_INPUT, name="text"), node("print", print_block)],
        "links": [link("in", "result", "print", "text")],
    }
    run = run_graph(api, graph, {"text": "hello logs"})
    assert run["status"] == "COMPLETED"

    (printed,) = log_lines.with_message(">>>>> Print: hello logs")
    node_exec_id = next(n["node_exec_id"] for n in run["node_executions"] if n["block_id"] == print_block)
    assert (printed["graph_exec_id"], printed["node_exec_id"], printed["user_id"]) == (
        run["id"],
        node_exec_id,
        USER_ID,
    )
    assert "RunNode" in printed["function_name"]  # the function the stack names


@pytest.fixture
def stream(cloud: object, monkeypatch: pytest.MonkeyPatch):
    from agentplatform.config import get_settings
    from local.streams import StreamReader
    from local.websocket import LOCAL_CALLBACK_URL, install_management_api

    install_management_api()
    monkeypatch.setenv("WEBSOCKET_CALLBACK_URL", LOCAL_CALLBACK_URL)
    get_settings.cache_clear()
    yield StreamReader(get_settings().table_name).seek_latest()
    monkeypatch.undo()
    get_settings.cache_clear()


def _deliver(stream: Any) -> None:
    from functions.events.stream import handler
    from local.lambdas import LambdaContext

    records = stream.read()
    result = handler(stream.lambda_event(records), LambdaContext(function_name="EventsStreamFunction"))
    assert result == {"batchItemFailures": []}


def test_run_and_node_changes_are_logged_with_their_ids_and_counted(stream, log_lines, capsys):
    run = RunWriter(USER_ID)
    run.create()
    run.start()
    run.output({"error": ["ValueError: the model said no"]}, status="FAILED")
    run.finish()
    capsys.readouterr()
    _deliver(stream)

    (running,) = log_lines.with_message(f"run {run.graph_exec_id} RUNNING")
    assert (running["user_id"], running["graph_exec_id"]) == (USER_ID, run.graph_exec_id)
    (failed,) = log_lines.with_message(f"node {run.node_exec_id} FAILED")
    assert failed["level"] == "WARNING"
    assert failed["message"].endswith("ValueError: the model said no")
    assert (failed["graph_exec_id"], failed["node_exec_id"], failed["block_id"]) == (
        run.graph_exec_id,
        run.node_exec_id,
        run.block_id,
    )
    (completed,) = log_lines.with_message(f"run {run.graph_exec_id} COMPLETED in ")
    assert completed["duration_s"] >= 0
    assert failed["function_name"] == completed["function_name"] == "EventsStreamFunction"

    metrics = metric_values(capsys.readouterr().out)
    assert metrics[("RunsStarted", SERVICE)] == 1
    assert metrics[("RunsCompleted", SERVICE)] == 1
    assert metrics[("NodeExecutions", SERVICE)] == 1
    assert metrics[("BlockFailures", (("block_id", run.block_id), *SERVICE))] == 1
    assert ("RunDuration", SERVICE) in metrics
    assert ("RunsFailed", SERVICE) not in metrics


def test_a_write_that_keeps_the_status_is_neither_logged_nor_counted(stream, log_lines, capsys):
    run = RunWriter(USER_ID)
    run.create()
    run.start()
    _deliver(stream)
    capsys.readouterr()
    run.output({"output": ["partial"]}, final=False)  # an output while the node keeps RUNNING
    _deliver(stream)

    assert not [line for line in log_lines.all() if "node" in line["message"]]
    assert metric_values(capsys.readouterr().out) == {}


def _loaded_after_import(module: str, env: dict[str, str]) -> set[str]:
    code = f"import sys, json, importlib; importlib.import_module({module!r}); print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "", **env},
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_the_tracer_and_its_xray_sdk_load_only_when_enabled():
    assert "aws_xray_sdk" not in _loaded_after_import("functions.graph_run.plan", {})
    assert "aws_xray_sdk.core" in _loaded_after_import("functions.graph_run.plan", {"ENABLE_TRACER": "true"})


def _handler_modules() -> list[str]:
    functions = ROOT / "functions"
    return sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in functions.glob("*/*.py")
        if path.name != "__init__.py"
    )


@pytest.mark.parametrize("module", _handler_modules())
def test_every_lambda_entry_point_is_instrumented(module):
    import importlib

    assert getattr(importlib.import_module(module).handler, "observed", False) is True
