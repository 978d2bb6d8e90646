"""What a run costs on AWS: dollars per 1,000 node executions, per graph shape.

Runs each shape of ``bench/engine.py`` (50-node chain, 1 -> 100 fan-out, 100-item
step-through, 10x10 mesh) once on the local cloud, as a user watching it in the builder
would (credits on, free blocks; one WebSocket connection subscribed to the run and to
its graph's runs), counts what AWS would bill (``bench/meter.py``) and prices it with
the list prices below. Prints one markdown table, for the README.

Counted: Step Functions state transitions, Lambda invocations, DynamoDB read and write
units (the engine's, and the live-events path's apart), S3 requests and WebSocket
messages (32 KB units). Modelled: Lambda duration, from each invocation's own CPU time
here (the emulators' share excluded) scaled to the vCPU share its memory size buys,
plus ``AWS_CALL_SECONDS`` of waiting per AWS call it makes. Not included: the execute
request itself (one REST call per run), CloudWatch logs, connection minutes, data
transfer, free tiers.

Run: ``.venv/bin/python bench/cost.py`` (``make bench`` runs it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# List prices, us-east-1, on-demand (USD). Lambda is arm64, as deployed.
PRICES = {
    "state_transition": 0.025 / 1_000,  # Step Functions Standard
    "lambda_request": 0.20 / 1_000_000,
    "lambda_gb_second": 0.0000133334,  # arm64
    "write_request_unit": 0.625 / 1_000_000,  # DynamoDB on-demand
    "read_request_unit": 0.125 / 1_000_000,
    "websocket_message": 1.00 / 1_000_000,  # per 32 KB unit, first billion
    "s3_put": 0.005 / 1_000,  # PUT, COPY, POST, LIST
    "s3_get": 0.0004 / 1_000,  # GET and all others
}
AWS_CALL_SECONDS = 0.005  # a DynamoDB request within the region, typically single-digit ms
FULL_VCPU_MB = 1769  # Lambda gives a function one full vCPU at this memory size
PER = 1_000  # node executions


def memory_mb(function: str) -> int:
    """The deployed memory size of a local function name (a logical id, or "events")."""
    from infra_cdk.catalog import events_function, graph_run_functions

    if function == "events":
        return events_function().memory_mb
    for spec in graph_run_functions(run_node_timeout=900):
        if spec.construct_id in function:
            return spec.memory_mb
    raise KeyError(f"no deployed function matches {function}")


def lambda_gb_seconds(use: dict[str, dict[str, Any]]) -> float:
    total = 0.0
    for function, used in use.items():
        memory = memory_mb(function)
        seconds = used["cpu_seconds"] * max(1.0, FULL_VCPU_MB / memory) + used["aws_calls"] * AWS_CALL_SECONDS
        total += seconds * memory / 1024
    return total


def bill(figures: dict[str, Any]) -> dict[str, float]:
    """Dollars per ``PER`` node executions, by line."""
    scale = PER / figures["node_executions"]
    use = figures["lambda_use"]
    s3 = figures["s3_requests"]
    s3_gets = sum(n for op, n in s3.items() if op.startswith(("Get", "Head")))
    lines = {
        "Step Functions": figures["state_transitions"] * PRICES["state_transition"],
        "Lambda requests": sum(u["invocations"] for u in use.values()) * PRICES["lambda_request"],
        "Lambda duration": lambda_gb_seconds(use) * PRICES["lambda_gb_second"],
        "DynamoDB (engine)": figures["dynamodb_wru"] * PRICES["write_request_unit"]
        + figures["dynamodb_rru"] * PRICES["read_request_unit"],
        "DynamoDB (events)": figures["events_dynamodb_wru"] * PRICES["write_request_unit"]
        + figures["events_dynamodb_rru"] * PRICES["read_request_unit"],
        "WebSocket": figures["message_units"] * PRICES["websocket_message"],
        "S3": (sum(s3.values()) - s3_gets) * PRICES["s3_put"] + s3_gets * PRICES["s3_get"],
    }
    return {line: dollars * scale for line, dollars in lines.items()}


def events_share(figures: dict[str, Any], lines: dict[str, float]) -> float:
    """The live-events path's part of the total: its DynamoDB, its Lambda, its posts."""
    use = figures["lambda_use"].get("events")
    events_lambda = 0.0
    if use is not None:
        scale = PER / figures["node_executions"]
        events_lambda = scale * (
            use["invocations"] * PRICES["lambda_request"]
            + lambda_gb_seconds({"events": use}) * PRICES["lambda_gb_second"]
        )
    part = lines["DynamoDB (events)"] + lines["WebSocket"] + events_lambda
    return part / sum(lines.values())


def table(measured: list[dict[str, Any]]) -> str:
    columns = list(bill(measured[0]))
    head = ["shape", *columns, "total", "events path"]
    rows = [
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|",
    ]
    for figures in measured:
        lines = bill(figures)
        cells = [f"{lines[c]:.5f}" for c in columns]
        cells += [f"**{sum(lines.values()):.4f}**", f"{events_share(figures, lines):.0%}"]
        rows.append(f"| {figures['shape']} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main() -> None:
    from bench import engine

    cloud, api, meter, events = engine.start_cloud()
    measured = []
    try:
        watcher = engine.Watcher()
        engine.set_credits("on")
        for graph in engine.shapes().values():
            measured.append(engine.measure(api, graph, meter, events, watcher))
    finally:
        cloud.stop()
    print(f"USD per {PER:,} node executions (list prices, us-east-1; a run watched by one connection):")
    print(table(measured))
    print(
        f"Lambda duration modelled: own CPU time here x {FULL_VCPU_MB} MB / memory size,"
        f" + {AWS_CALL_SECONDS * 1000:.0f} ms per AWS call."
    )


if __name__ == "__main__":
    main()
