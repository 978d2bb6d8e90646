"""How a run looks in the terminal while it runs, and once it has ended.

On a terminal, a ``rich`` live table redraws in place: one row per node execution
with its status and time, and a summary line. Elsewhere (a pipe, CI) each status change
is one plain line, so logs stay readable.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from cli.watch import NodeState, RunState

STYLE = {
    "INCOMPLETE": "dim",
    "QUEUED": "dim",
    "RUNNING": "yellow",
    "REVIEW": "magenta",
    "COMPLETED": "green",
    "FAILED": "bold red",
    "TERMINATED": "red",
}
MARK = {"COMPLETED": "✓", "FAILED": "✗", "TERMINATED": "■", "QUEUED": "·", "INCOMPLETE": "·", "REVIEW": "?"}
_VALUE_CHARS = 400


def seconds_between(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def node_seconds(node: NodeState) -> float | None:
    done = seconds_between(node.start_time, node.end_time)
    if done is not None:
        return done
    if node.status == "RUNNING" and node.seen_running_at is not None:
        return time.monotonic() - node.seen_running_at
    return None


class NodeNames:
    """``Block name "input name" (node id)`` for each node of the graph."""

    def __init__(self, graph: dict[str, Any], block_names: dict[str, str]):
        self._labels: dict[str, str] = {}
        for node in graph.get("nodes") or []:
            name = block_names.get(node["block_id"], node["block_id"][:8])
            pin = (node.get("input_default") or {}).get("name")
            label = f'{name} "{pin}"' if isinstance(pin, str) and pin else name
            self._labels[node["id"]] = f"{label} ({node['id'][:8]})"

    def label(self, node_id: str, block_id: str) -> str:
        return self._labels.get(node_id, f"{block_id[:8]} ({node_id[:8]})")

    def __call__(self, node: NodeState) -> str:
        return self.label(node.node_id, node.block_id)


class LiveDisplay:
    """The in-place table (terminals)."""

    def __init__(self, console: Console, names: NodeNames, state: RunState):
        self.console, self.names, self.state = console, names, state
        self.started = time.monotonic()
        self._live = Live(console=console, refresh_per_second=8, get_renderable=self._render, transient=False)

    def __enter__(self) -> LiveDisplay:
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.__exit__(None, None, None)

    def update(self, state: RunState) -> None:
        self.state = state
        self._live.refresh()

    def _row(self, node: NodeState) -> tuple[Any, ...]:
        style = STYLE.get(node.status, "")
        mark = (
            Spinner("dots", style=style)
            if node.status == "RUNNING"
            else Text(MARK.get(node.status, " "), style)
        )
        took = node_seconds(node)
        return mark, self.names(node), Text(node.status, style=style), "" if took is None else f"{took:.1f}s"

    def _render(self) -> Group:
        table = Table(box=None, show_header=False, padding=(0, 1))
        for justify in ("left", "left", "left", "right"):
            table.add_column(justify=justify)
        nodes = list(self.state.nodes.values())
        for node in nodes:
            table.add_row(*self._row(node))
        done = sum(1 for node in nodes if node.status in ("COMPLETED", "FAILED"))
        status = self.state.status
        summary = Text.assemble(
            (f"run {self.state.graph_exec_id} ", "bold"),
            (status, STYLE.get(status, "")),
            f"  {done}/{len(nodes)} nodes  {time.monotonic() - self.started:.1f}s",
        )
        return Group(table, summary)


class LineDisplay:
    """One plain line per status change (pipes, CI logs)."""

    def __init__(self, console: Console, names: NodeNames, state: RunState):
        self.console, self.names = console, names
        self.title = f"run {state.graph_exec_id}"
        self._seen: dict[str, str] = {}

    def __enter__(self) -> LineDisplay:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, state: RunState) -> None:
        for node in state.nodes.values():
            if self._seen.get(node.node_exec_id) == node.status or node.status == "INCOMPLETE":
                continue
            self._seen[node.node_exec_id] = node.status
            took = seconds_between(node.start_time, node.end_time)
            timing = "" if took is None else f" {took:.1f}s"
            self.console.print(
                f"  {node.status:<10} {self.names(node)}{timing}", markup=False, highlight=False
            )
        if self._seen.get("") != state.status:
            self._seen[""] = state.status
            self.console.print(f"{self.title} {state.status}", markup=False, highlight=False)


def value_text(value: Any, limit: int | None = _VALUE_CHARS) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if limit is not None and len(text) > limit:
        return text[:limit] + f"… ({len(text) - limit} more characters)"
    return text


def print_result(console: Console, run: dict[str, Any], names: NodeNames) -> None:
    """The run's end: status and time, graph outputs, then each failed node's error."""
    took = seconds_between(run.get("started_at"), run.get("ended_at"))
    status = run["status"]
    console.print(
        Text.assemble(
            ("Run ", "bold"),
            run["id"],
            " ",
            (status, STYLE.get(status, "")),
            "" if took is None else f" in {took:.1f}s",
        )
    )
    outputs = run.get("outputs") or {}
    if outputs:
        console.print(Text("Outputs", style="bold"))
        for name, values in outputs.items():
            for value in values:
                console.print(Text.assemble(f"  {name}: ", value_text(value, limit=None)))
    for node in run.get("node_executions") or []:
        if node["status"] != "FAILED":
            continue
        errors = (node.get("output_data") or {}).get("error") or ["(no error output)"]
        label = names.label(node["node_id"], node["block_id"])
        console.print(Text.assemble(("Failed: ", "bold red"), label, ": ", "; ".join(map(str, errors))))
