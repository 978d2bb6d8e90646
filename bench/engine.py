"""Graph-run engine benchmark on the local cloud (moto in-process).

Runs a 50-node chain and a 1 -> 100 fan-out and prints, per shape: wall time, node
executions per second, Step Functions history events, DynamoDB requests and Lambda
invocations per node execution. Each shape runs three times: credits off (the
baseline), credits on with free blocks (every node execution is counted for the
every-100th charge), and credits on with every block costing 1 credit (every node
execution pays). DynamoDB requests are counted with a botocore event
hook on the shared client; they include the execute request's writes and exclude the
benchmark's own polling (it polls Step Functions, then reads the result once).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STORE_VALUE = "1ff065e9-88e8-4358-9d82-8dc91f622ba9"
STEP_THROUGH_ITEMS = "f66a3543-28d3-4ab5-8945-9b336371e2ce"
USER_ID = "3e53486c-cf57-477e-ba2a-cb02dc828e1a"
SECRET = "bench-secret-key-that-is-long-enough-for-hs256-0123456789"


def _node(node_id: str, block_id: str, **defaults: Any) -> dict[str, Any]:
    return {"id": node_id, "block_id": block_id, "input_default": defaults, "metadata": {}}


def _link(source: str, source_name: str, sink: str, sink_name: str) -> dict[str, Any]:
    return {"source_id": source, "source_name": source_name, "sink_id": sink, "sink_name": sink_name}


def chain(length: int) -> dict[str, Any]:
    nodes = [_node("n0", STORE_VALUE, input="go")] + [_node(f"n{i}", STORE_VALUE) for i in range(1, length)]
    links = [_link(f"n{i}", "output", f"n{i + 1}", "input") for i in range(length - 1)]
    return {"name": f"chain-{length}", "nodes": nodes, "links": links}


def fan_out(width: int) -> dict[str, Any]:
    return {
        "name": f"fan-out-{width}",
        "nodes": [_node("step", STEP_THROUGH_ITEMS, items=list(range(width))), _node("sink", STORE_VALUE)],
        "links": [_link("step", "item", "sink", "input")],
    }


class DynamoCounter:
    """Counts the engine's own DynamoDB requests. moto delivers stream records to the
    events Lambda inside the write that made them; those nested requests belong to
    event fan-out, not to the engine, and are counted apart."""

    def __init__(self) -> None:
        self.count = 0
        self.nested = 0
        self.enabled = False
        self._depth = threading.local()

    def before(self, **kwargs: Any) -> None:
        depth = getattr(self._depth, "value", 0)
        self._depth.value = depth + 1
        if self.enabled:
            if depth == 0:
                self.count += 1
            else:
                self.nested += 1

    def after(self, **kwargs: Any) -> None:
        self._depth.value = getattr(self._depth, "value", 1) - 1


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
    block = get_block(STORE_VALUE)
    assert block is not None
    block.costs = [BlockCost(cost_amount=1)] if mode == "on+paid" else []


def measure(api: Any, graph: dict[str, Any], counter: DynamoCounter) -> dict[str, Any]:
    from agentplatform.aws import client
    from local.stepfunctions import invocation_counts

    created = api.post("/api/graphs", json_body={"graph": graph}).json()
    sfn = client("stepfunctions")
    machine = os.environ["STATE_MACHINE_ARN"]
    invocation_counts.clear()
    counter.count, counter.nested, counter.enabled = 0, 0, True
    started = time.perf_counter()
    run = api.post(f"/api/graphs/{created['id']}/execute/1", json_body={"inputs": {}}).json()
    arns = _wait(sfn, machine, run["id"])
    wall = time.perf_counter() - started
    counter.enabled = False
    result = api.get(f"/api/graphs/{created['id']}/executions/{run['id']}").json()
    nodes = len(result["node_executions"])
    events = sum(len(_history(sfn, arn)) for arn in arns)
    lambdas = sum(invocation_counts.values())
    return {
        "shape": graph["name"],
        "status": result["status"],
        "node_executions": nodes,
        "wall_s": round(wall, 3),
        "node_exec_per_s": round(nodes / wall, 1),
        "history_events_per_node": round(events / nodes, 2),
        "dynamodb_requests_per_node": round(counter.count / nodes, 2),
        "lambda_invocations_per_node": round(lambdas / nodes, 3),
        "history_events": events,
        "dynamodb_requests": counter.count,
        "event_fanout_dynamodb_requests": counter.nested,
        "lambda_invocations": dict(invocation_counts),
    }


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chain", type=int, default=50, help="nodes in the chain shape")
    parser.add_argument("--fan-out", type=int, default=100, help="items in the fan-out shape")
    args = parser.parse_args()
    os.environ.update(
        {"JWT_VERIFY_KEY": SECRET, "ENABLE_AUTH": "true", "TABLE_NAME": "bench", "BUCKET_NAME": "bench"}
    )
    os.environ.setdefault("GRAPH_RUN_MAX_CONCURRENCY", "10")
    from agentplatform.aws import client
    from local.cloud import LocalCloud
    from local.tokens import mint
    from tests.support.api import ApiGatewayClient

    cloud = LocalCloud().start()
    try:
        counter = DynamoCounter()
        events = client("dynamodb").meta.events
        events.register("before-call.dynamodb", counter.before)
        events.register("after-call.dynamodb", counter.after)
        api = ApiGatewayClient(mint(SECRET, sub=USER_ID))
        for graph in (chain(args.chain), fan_out(args.fan_out)):
            for mode in CREDIT_MODES:
                set_credits(mode)
                print(json.dumps({"credits": mode, **measure(api, graph, counter)}))
    finally:
        cloud.stop()


if __name__ == "__main__":
    main()
