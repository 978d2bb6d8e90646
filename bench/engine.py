"""Graph-run engine benchmark on the local cloud (moto in-process), with the live-events
path that follows every run.

Runs a 50-node chain, a 1 -> 100 fan-out (one node linked to 100 others), a 100-item
step-through (StepThroughItems yielding 100 items into one sink) and a 10x10 mesh
(ten layers of ten Calculator nodes, each fed by two parents of the layer before) and
prints, per shape, one JSON line each with credits off (the baseline), credits on
with free blocks (every node execution is counted for the every-100th charge) and
credits on with every block costing 1 credit:

- the engine: wall time, node executions per second, Step Functions history events
  and state transitions, Lambda invocations, DynamoDB requests and read/write units
  (``bench/meter.py``) per node execution; they include the execute request's writes
  and exclude the benchmark's own polling;
- the events path (``events_*``), measured apart: once the run has finished, the
  table stream records it produced go through the deployed mapping (its filter, its
  batch size, one lane per partition key as with its parallelization factor) into the
  events Lambda, as in AWS. With credits off nobody watches the run; with credits on
  one connection watches it (its run channel and its graph's runs channel), so the
  events are posted: ``events_posts_per_node`` are API Gateway messages;
- the baseline of the events path, measured in the same run on the same records
  (``events_per_record_*``): the run's replay buffer emptied again, then every record
  delivered in a batch of its own, as a per-record handler would work.

A closing table sums up the events path per shape against that baseline.
"""

from __future__ import annotations

import json
import os
import sys
import time
import zlib
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STORE_VALUE = "1ff065e9-88e8-4358-9d82-8dc91f622ba9"
STEP_THROUGH_ITEMS = "f66a3543-28d3-4ab5-8945-9b336371e2ce"
CALCULATOR = "b1ab9b19-67a6-406d-abf5-2dba76d00c79"
USER_ID = "3e53486c-cf57-477e-ba2a-cb02dc828e1a"
SECRET = "bench-secret-key-that-is-long-enough-for-hs256-0123456789"
WATCHER = "benchWatcher01=="


def _node(node_id: str, block_id: str, **defaults: Any) -> dict[str, Any]:
    return {"id": node_id, "block_id": block_id, "input_default": defaults, "metadata": {}}


def _link(source: str, source_name: str, sink: str, sink_name: str) -> dict[str, Any]:
    return {"source_id": source, "source_name": source_name, "sink_id": sink, "sink_name": sink_name}


def chain(length: int) -> dict[str, Any]:
    nodes = [_node("n0", STORE_VALUE, input="go")] + [_node(f"n{i}", STORE_VALUE) for i in range(1, length)]
    links = [_link(f"n{i}", "output", f"n{i + 1}", "input") for i in range(length - 1)]
    return {"name": f"chain-{length}", "nodes": nodes, "links": links}


def fan_out(width: int) -> dict[str, Any]:
    sinks = [_node(f"s{i}", STORE_VALUE) for i in range(width)]
    return {
        "name": f"fan-out-{width}",
        "nodes": [_node("source", STORE_VALUE, input="go"), *sinks],
        "links": [_link("source", "output", f"s{i}", "input") for i in range(width)],
    }


def step_through(items: int) -> dict[str, Any]:
    return {
        "name": f"step-through-{items}",
        "nodes": [_node("step", STEP_THROUGH_ITEMS, items=list(range(items))), _node("sink", STORE_VALUE)],
        "links": [_link("step", "item", "sink", "input")],
    }


def mesh(layers: int, width: int) -> dict[str, Any]:
    """Node (l, j) adds the results of (l-1, j) and (l-1, j+1 mod width): two parents each."""
    nodes = [_node(f"m0_{j}", CALCULATOR, operation="Add", a=1, b=1) for j in range(width)]
    links = []
    for layer in range(1, layers):
        for j in range(width):
            nodes.append(_node(f"m{layer}_{j}", CALCULATOR, operation="Add"))
            links.append(_link(f"m{layer - 1}_{j}", "result", f"m{layer}_{j}", "a"))
            links.append(_link(f"m{layer - 1}_{(j + 1) % width}", "result", f"m{layer}_{j}", "b"))
    return {"name": f"mesh-{layers}x{width}", "nodes": nodes, "links": links}


def _history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events.extend(page["events"])
        if not page.get("nextToken"):
            return events
        kwargs["nextToken"] = page["nextToken"]


def _wait(sfn: Any, machine: str, exec_id: str) -> list[str]:
    """Execution ARNs of the run (continuations included) once all have finished."""
    while True:
        runs = [
            e
            for e in sfn.list_executions(stateMachineArn=machine)["executions"]
            if e["name"] == exec_id or e["name"].startswith(f"{exec_id}--")
        ]
        if runs and all(e["status"] != "RUNNING" for e in runs):
            return [e["executionArn"] for e in runs]
        time.sleep(0.02)


CREDIT_MODES = ("off", "on", "on+paid")


def set_credits(mode: str) -> None:
    """Switch the credit system for the next runs (the balance item stays warm across
    runs, as in a warm run_node Lambda)."""
    from agentplatform.blocks.block import BlockCost
    from agentplatform.blocks.registry import get_block
    from agentplatform.config import get_settings

    os.environ["ENABLE_CREDIT"] = "false" if mode == "off" else "true"
    os.environ["NUM_USER_CREDITS_REFILL"] = "1000000"
    get_settings.cache_clear()
    for block_id in (STORE_VALUE, CALCULATOR, STEP_THROUGH_ITEMS):
        block = get_block(block_id)
        assert block is not None
        block.costs = [BlockCost(cost_amount=1)] if mode == "on+paid" else []


def state_transitions(history: list[dict[str, Any]]) -> int:
    """What Step Functions bills: one transition per state entered (Map iterations'
    states included)."""
    return sum(1 for e in history if e["type"].endswith("StateEntered"))


class EventsPath:
    """The table stream behind the engine, delivered to the events Lambda as the
    deployed event source mapping would once the run is over."""

    def __init__(self, cloud: Any):
        from local.streams import StreamMapping, StreamReader

        blueprint = cloud.blueprint
        (props,) = blueprint.stream_mappings
        self.mapping = StreamMapping.from_template(props, blueprint.functions[props["FunctionName"]])
        self.matches = self.mapping.matcher()
        self.reader = StreamReader(os.environ["TABLE_NAME"])

    def skip_to_now(self) -> None:
        self.reader.seek_latest()

    def batches(self) -> list[list[dict[str, Any]]]:
        """The stream records since ``skip_to_now`` in the batches Lambda would make:
        filtered, split into lanes by partition key, at most ``batch_size`` each."""
        from agentplatform.store.schema import PARTITION_KEY

        lanes: dict[int, list[dict[str, Any]]] = {}
        while records := self.reader.read(1000):
            for event in self.reader.lambda_event(records)["Records"]:
                if self.matches(event):
                    key = json.dumps(event["dynamodb"]["Keys"][PARTITION_KEY], sort_keys=True).encode()
                    lanes.setdefault(zlib.crc32(key) % self.mapping.parallelization_factor, []).append(event)
        size = self.mapping.batch_size
        return [lane[i : i + size] for lane in lanes.values() for i in range(0, len(lane), size)]

    def deliver(self, batches: list[list[dict[str, Any]]], meter: Any) -> None:
        """Each batch to the events Lambda, one invocation each."""
        from functions.events.stream import handler
        from local.lambdas import invoke

        for batch in batches:
            with meter.lambdas.running("events"):
                result = invoke(handler, {"Records": batch}, function_name="events")
            assert not (result or {}).get("batchItemFailures"), result

    @staticmethod
    def forget(graph_exec_id: str) -> None:
        """Empty the run's replay buffer (unmetered), so its records can be numbered again."""
        from agentplatform.store import keys
        from agentplatform.store.table import Table

        table = Table()
        pk = keys.event_log_pk(USER_ID, graph_exec_id)
        table.batch_delete([(item["pk"], item["sk"]) for item in table.query(pk)])


class Watcher:
    """One open connection (a socket that only collects) subscribed to a run."""

    def __init__(self) -> None:
        import asyncio

        from agentplatform.store.connections import ConnectionRepository
        from local.websocket import LIVE, install_management_api

        install_management_api()
        self.loop = asyncio.new_event_loop()  # never run: posted messages just queue up
        LIVE.open(WATCHER, self.loop, asyncio.Queue())
        self.connections = ConnectionRepository()
        self.connections.add(WATCHER, USER_ID, connected_at="2026-01-01T00:00:00+00:00", expires_at=2**31)

    def watch(self, graph_id: str, graph_exec_id: str) -> None:
        from agentplatform.events.channels import graph_exec_channel, graph_execs_channel

        self.connections.subscribe(WATCHER, graph_exec_channel(USER_ID, graph_exec_id))
        self.connections.subscribe(WATCHER, graph_execs_channel(USER_ID, graph_id))


def measure(
    api: Any, graph: dict[str, Any], meter: Any, events: EventsPath, watcher: Watcher | None
) -> dict[str, Any]:
    from agentplatform.aws import client
    from local.stepfunctions import invocation_counts

    created = api.post("/api/graphs", json_body={"graph": graph}).json()
    sfn = client("stepfunctions")
    machine = os.environ["STATE_MACHINE_ARN"]
    invocation_counts.clear()
    meter.reset()
    events.skip_to_now()
    started = time.perf_counter()
    with meter.metering("engine"):
        run = api.post(f"/api/graphs/{created['id']}/execute/1", json_body={"inputs": {}}).json()
        arns = _wait(sfn, machine, run["id"])
    wall = time.perf_counter() - started
    result = api.get(f"/api/graphs/{created['id']}/executions/{run['id']}").json()
    nodes = len(result["node_executions"])
    history = [e for arn in arns for e in _history(sfn, arn)]
    lambdas = dict(invocation_counts)
    engine = meter.tally("engine")

    if watcher is not None:
        watcher.watch(created["id"], run["id"])
    batches = events.batches()
    with meter.metering("events"):
        events.deliver(batches, meter)
    path = meter.tally("events")
    lambda_use = {name: asdict(use) for name, use in meter.lambdas.use.items()}
    events.forget(run["id"])
    with meter.metering("events_per_record"):
        events.deliver([[record] for batch in batches for record in batch], meter)
    per_record = meter.tally("events_per_record")
    return {
        "shape": graph["name"],
        "status": result["status"],
        "node_executions": nodes,
        "wall_s": round(wall, 3),
        "node_exec_per_s": round(nodes / wall, 1),
        "history_events_per_node": round(len(history) / nodes, 2),
        "state_transitions_per_node": round(state_transitions(history) / nodes, 2),
        "lambda_invocations_per_node": round(sum(lambdas.values()) / nodes, 3),
        "dynamodb_requests_per_node": round(engine.requests / nodes, 2),
        "dynamodb_wru_per_node": round(engine.wru / nodes, 2),
        "dynamodb_rru_per_node": round(engine.rru / nodes, 2),
        "events_watched": watcher is not None,
        "events_batches": len(batches),
        "events_records": sum(len(b) for b in batches),
        "events_dynamodb_requests_per_node": round(path.requests / nodes, 2),
        "events_dynamodb_wru_per_node": round(path.wru / nodes, 2),
        "events_dynamodb_rru_per_node": round(path.rru / nodes, 2),
        "events_posts_per_node": round(meter.posts["events"] / nodes, 2),
        "events_requests_by_operation": dict(path.by_operation),
        "events_per_record_dynamodb_requests_per_node": round(per_record.requests / nodes, 2),
        "events_per_record_dynamodb_wru_per_node": round(per_record.wru / nodes, 2),
        "events_per_record_dynamodb_rru_per_node": round(per_record.rru / nodes, 2),
        "history_events": len(history),
        "dynamodb_requests": engine.requests,
        "lambda_invocations": lambdas,
        "lambda_use": lambda_use,
        "s3_requests": dict(meter.s3_requests["engine"]),
        "posts": meter.posts["events"],
        "message_units": meter.message_units["events"],
        "dynamodb_wru": engine.wru,
        "dynamodb_rru": engine.rru,
        "events_dynamodb_wru": path.wru,
        "events_dynamodb_rru": path.rru,
        "state_transitions": state_transitions(history),
    }


def start_cloud() -> tuple[Any, Any, Any, EventsPath]:
    """The local cloud, an API client and a meter on its clients; the caller stops the cloud."""
    os.environ.update(
        {"JWT_VERIFY_KEY": SECRET, "ENABLE_AUTH": "true", "TABLE_NAME": "bench", "BUCKET_NAME": "bench"}
    )
    os.environ.setdefault("GRAPH_RUN_MAX_CONCURRENCY", "10")
    from local.cloud import LocalCloud
    from local.tokens import mint
    from local.websocket import LOCAL_CALLBACK_URL

    os.environ["WEBSOCKET_CALLBACK_URL"] = LOCAL_CALLBACK_URL
    from agentplatform.aws import client
    from bench.meter import Meter
    from tests.support.api import ApiGatewayClient

    cloud = LocalCloud().start()
    meter = Meter().install()
    meter.watch_posts(client("apigatewaymanagementapi", LOCAL_CALLBACK_URL))
    track_lambdas(meter)
    return cloud, ApiGatewayClient(mint(SECRET, sub=USER_ID)), meter, EventsPath(cloud)


def track_lambdas(meter: Any) -> None:
    """Attribute each DynamoDB call to the Lambda (state machine task) making it."""
    import local.stepfunctions as sfn_local

    dispatch = sfn_local._dispatch

    def tracked(function_name: str, event: Any) -> Any:
        with meter.lambdas.running(function_name):
            return dispatch(function_name, event)

    sfn_local._dispatch = tracked


def shapes(chain_length: int = 50, width: int = 100, mesh_size: int = 10) -> dict[str, dict[str, Any]]:
    return {
        "chain": chain(chain_length),
        "fan-out": fan_out(width),
        "step-through": step_through(width),
        "mesh": mesh(mesh_size, mesh_size),
    }


def events_table(figures: list[dict[str, Any]]) -> str:
    """The events path per node execution, as deployed and one record per batch."""
    rows = [
        "events path per node execution: DynamoDB requests / WRU (RRU), batches as deployed"
        " vs the baseline (the same records, one per batch)",
        f"  {'shape':<16} {'watched':<8} {'batched':>20} {'one record per batch':>22}",
    ]
    for f in figures:
        if f["credits"] == "on+paid":
            continue
        batched = (
            f"{f['events_dynamodb_requests_per_node']:.2f} / {f['events_dynamodb_wru_per_node']:.2f}"
            f" ({f['events_dynamodb_rru_per_node']:.2f})"
        )
        baseline = (
            f"{f['events_per_record_dynamodb_requests_per_node']:.2f} /"
            f" {f['events_per_record_dynamodb_wru_per_node']:.2f}"
            f" ({f['events_per_record_dynamodb_rru_per_node']:.2f})"
        )
        watched = "yes" if f["events_watched"] else "no"
        rows.append(f"  {f['shape']:<16} {watched:<8} {batched:>20} {baseline:>22}")
    rows.append("  (target: <= 2 requests and <= 2 WRU per node execution)")
    return "\n".join(rows)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chain", type=int, default=50, help="nodes in the chain shape")
    parser.add_argument("--fan-out", type=int, default=100, help="width of the fan-out and step-through")
    parser.add_argument("--mesh", type=int, default=10, help="layers and width of the mesh shape")
    parser.add_argument("--shapes", default="chain,fan-out,step-through,mesh", help="which shapes to run")
    args = parser.parse_args()
    graphs = shapes(args.chain, args.fan_out, args.mesh)
    cloud, api, meter, events = start_cloud()
    figures = []
    try:
        watcher = Watcher()
        for name in args.shapes.split(","):
            for mode in CREDIT_MODES:
                set_credits(mode)
                measured = measure(api, graphs[name], meter, events, watcher if mode == "on" else None)
                figures.append({"credits": mode, **measured})
                print(json.dumps(figures[-1]), flush=True)
    finally:
        cloud.stop()
    print(events_table(figures))
    print(mesh_table(figures))


def mesh_table(figures: list[dict[str, Any]]) -> str:
    """The mesh against the chain, per credit mode (targets of issue 18)."""
    rows = ["mesh vs chain per node execution: history events, Lambda invocations, throughput ratio"]
    for mode in CREDIT_MODES:
        by_shape = {f["shape"].split("-")[0]: f for f in figures if f["credits"] == mode}
        mesh, chain = by_shape.get("mesh"), by_shape.get("chain")
        if mesh is None or chain is None:
            continue
        ratio = mesh["node_exec_per_s"] / chain["node_exec_per_s"]
        events = (mesh["history_events_per_node"], chain["history_events_per_node"])
        calls = (mesh["lambda_invocations_per_node"], chain["lambda_invocations_per_node"])
        rows.append(
            f"  credits {mode:<8} events {events[0]:.2f} vs {events[1]:.2f}"
            f"  invocations {calls[0]:.3f} vs {calls[1]:.3f}  throughput {ratio:.2f}x chain"
        )
    rows.append("  (targets: <= 1.5 events, <= 0.25 invocations, >= 0.8x chain throughput)")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
