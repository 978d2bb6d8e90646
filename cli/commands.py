"""The client commands: run an agent file, list and inspect runs, import, add credentials."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from cli.agents import credentials_inputs, import_or_reuse, read_agent, run_inputs
from cli.client import Api, CliError
from cli.progress import LineDisplay, LiveDisplay, NodeNames, print_result, seconds_between, value_text
from cli.watch import RunState, follow

EXIT_RUN_FAILED = 1
EXIT_INTERRUPTED = 130


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)  # pipes get whole lines, never wrapped


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _block_names(api: Api) -> dict[str, str]:
    try:
        return {block["id"]: block["name"] for block in api.get("/api/blocks")}
    except CliError:
        return {}  # labels fall back to block ids


def _run_failed(run: dict[str, Any]) -> bool:
    """A run fails the command when it did not complete, or any of its nodes failed."""
    nodes = run.get("node_executions") or []
    return run["status"] != "COMPLETED" or any(node["status"] == "FAILED" for node in nodes)


def run_agent(api: Api, args: argparse.Namespace) -> int:
    console = _console()
    graph, reused = import_or_reuse(api, Path(args.agent), reimport=args.reimport)
    verb = "reusing" if reused else "imported"
    console.print(f"{verb} {graph['name']!r}: graph {graph['id']} v{graph['version']}", markup=False)
    body = {
        "inputs": run_inputs(graph, args.input),
        "credentials_inputs": credentials_inputs(api, graph, args.credentials),
    }
    started = api.post(f"/api/graphs/{graph['id']}/execute/{graph['version']}", json=body)
    state = RunState(started["id"], status=started["status"])
    names = NodeNames(graph, _block_names(api))
    live = console.is_terminal and not args.no_live
    display = LiveDisplay(console, names, state) if live else LineDisplay(console, names, state)
    try:
        with display:
            display.update(state)
            follow(api, graph["id"], state, display.update, args.timeout)
    except KeyboardInterrupt:
        api.post(f"/api/graphs/{graph['id']}/executions/{state.graph_exec_id}/stop")
        console.print(f"stopped run {state.graph_exec_id}")
        return EXIT_INTERRUPTED
    run = api.get(f"/api/graphs/{graph['id']}/executions/{state.graph_exec_id}")
    print_result(console, run, names)
    return EXIT_RUN_FAILED if _run_failed(run) else 0


def _find_run(api: Api, graph_exec_id: str) -> dict[str, Any]:
    for meta in api.get("/api/executions"):
        if meta["id"] == graph_exec_id:
            run: dict[str, Any] = api.get(f"/api/graphs/{meta['graph_id']}/executions/{graph_exec_id}")
            return run
    raise CliError(f"no run {graph_exec_id}")


def _graph_names(api: Api) -> dict[str, str]:
    return {graph["id"]: graph["name"] for graph in api.get("/api/graphs")}


def list_runs(api: Api, args: argparse.Namespace) -> int:
    runs: list[dict[str, Any]] = api.get("/api/executions")
    if args.graph:
        runs = [run for run in runs if run["graph_id"] == args.graph]
    runs = sorted(runs, key=lambda run: run.get("started_at") or "", reverse=True)[: args.limit]
    if args.json:
        _print_json(runs)
        return 0
    names = _graph_names(api)
    table = Table("run", "agent", "status", "started", "took")
    for run in runs:
        took = seconds_between(run.get("started_at"), run.get("ended_at"))
        table.add_row(
            run["id"],
            names.get(run["graph_id"], run["graph_id"]),
            run["status"],
            (run.get("started_at") or "")[:19].replace("T", " "),
            "" if took is None else f"{took:.1f}s",
        )
    _console().print(table)
    return 0


def show_run(api: Api, args: argparse.Namespace) -> int:
    run = _find_run(api, args.run_id)
    if args.json:
        _print_json(run)
        return 0
    graph = api.get(f"/api/graphs/{run['graph_id']}", params={"version": run["graph_version"]})
    console = _console()
    console.print(f"agent   {graph['name']} (graph {run['graph_id']} v{run['graph_version']})", markup=False)
    for name, value in (run.get("inputs") or {}).items():
        console.print(f"input   {name}: {value_text(value)}", markup=False)
    names = NodeNames(graph, _block_names(api))
    table = Table("node", "status", "took")
    for node in run.get("node_executions") or []:
        took = seconds_between(node.get("start_time"), node.get("end_time"))
        label = names.label(node["node_id"], node["block_id"])
        table.add_row(label, node["status"], "" if took is None else f"{took:.1f}s")
    console.print(table)
    print_result(console, run, names)
    return EXIT_RUN_FAILED if _run_failed(run) else 0


def run_logs(api: Api, args: argparse.Namespace) -> int:
    run = _find_run(api, args.run_id)
    nodes = run.get("node_executions") or []
    if args.json:
        _print_json(nodes)
        return 0
    graph = api.get(f"/api/graphs/{run['graph_id']}", params={"version": run["graph_version"]})
    names = NodeNames(graph, _block_names(api))
    limit = None if args.full else 400
    console = _console()
    for node in nodes:
        took = seconds_between(node.get("start_time"), node.get("end_time"))
        timing = "" if took is None else f" {took:.1f}s"
        console.print(
            f"[{node['status']}] {names.label(node['node_id'], node['block_id'])}{timing}", markup=False
        )
        console.print(f"  exec   {node['node_exec_id']}", markup=False)
        for name, value in (node.get("input_data") or {}).items():
            console.print(f"  input  {name}: {value_text(value, limit)}", markup=False)
        for name, values in (node.get("output_data") or {}).items():
            for value in values:
                kind = "error " if name == "error" else "output"
                console.print(f"  {kind} {name}: {value_text(value, limit)}", markup=False)
    return 0


def import_file(api: Api, args: argparse.Namespace) -> int:
    from cli.agents import import_agent

    export, _ = read_agent(Path(args.file))
    graph = import_agent(api, export)
    if args.json:
        _print_json(graph)
        return 0
    console = _console()
    console.print(f"imported {graph['name']!r}: graph {graph['id']} v{graph['version']}", markup=False)
    for name, schema in ((graph.get("input_schema") or {}).get("properties") or {}).items():
        console.print(f"  input        {name} ({schema.get('type', 'any')})", markup=False)
    for key, schema in ((graph.get("credentials_input_schema") or {}).get("properties") or {}).items():
        providers = ", ".join(schema.get("credentials_provider") or [])
        console.print(f"  credentials  {key} ({providers})", markup=False)
    return 0


def _read_secret(args: argparse.Namespace) -> str:
    if args.api_key_env:
        secret = os.environ.get(args.api_key_env, "")
        if not secret:
            raise CliError(f"${args.api_key_env} is empty")
        return secret
    if sys.stdin.isatty():
        return getpass.getpass(f"{args.provider} API key: ").strip()
    return sys.stdin.readline().strip()  # piped: never on the command line, where ps shows it


def add_credentials(api: Api, args: argparse.Namespace) -> int:
    secret = _read_secret(args)
    if not secret:
        raise CliError("no API key given")
    body = {
        "type": "api_key",
        "api_key": secret,
        "title": args.title or f"{args.provider} (agentplatform CLI)",
    }
    created = api.post(f"/api/integrations/{args.provider}/credentials", json=body)
    if args.json:
        _print_json(created)
    else:
        print(created["id"])
        print(
            f"stored {created['provider']} credential {created['id']} ({created.get('title')})",
            file=sys.stderr,
        )
    return 0
