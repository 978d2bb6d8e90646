"""How fast a stop takes effect, on the local cloud (moto in-process).

Starts a 1 -> N fan-out whose block takes 5 ms per output and commits every 4 outputs,
stops it once 40 node executions exist, and prints, with the engine's stop checks and
with them switched off (the baseline: what the engine did before it had them): seconds
from the stop's answer until every run_node invocation returned, node executions
started after the stop, and node executions left QUEUED or RUNNING for good.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.graphs import STORE_VALUE
from tests.support.runs import STEP_THROUGH_ITEMS, InFlight

USER_ID = "3e53486c-cf57-477e-ba2a-cb02dc828e1a"
SECRET = "bench-secret-key-that-is-long-enough-for-hs256-0123456789"


def fan_out(width: int) -> dict[str, Any]:
    node = {"block_id": STEP_THROUGH_ITEMS, "input_default": {"items": list(range(width))}, "metadata": {}}
    sink = {"block_id": STORE_VALUE, "input_default": {}, "metadata": {}}
    return {
        "name": f"fan-out-{width}",
        "nodes": [{"id": "step", **node}, {"id": "sink", **sink}],
        "links": [{"source_id": "step", "source_name": "item", "sink_id": "sink", "sink_name": "input"}],
    }


def _pace_block() -> None:
    from agentplatform.blocks.registry import get_block

    block = get_block(STEP_THROUGH_ITEMS)
    assert block is not None
    block_type = type(block)
    original = block_type.run

    async def paced(self: Any, input_data: Any, **kwargs: Any) -> Any:
        async for output in original(self, input_data, **kwargs):
            time.sleep(0.005)
            yield output

    block_type.run = paced  # type: ignore[method-assign]


def measure(api: Any, in_flight: InFlight, label: str) -> dict[str, Any]:
    created = api.post("/api/graphs", json_body={"graph": fan_out(400)}).json()
    run = api.post(f"/api/graphs/{created['id']}/execute/1", json_body={"inputs": {}}).json()
    path = f"/api/graphs/{created['id']}/executions/{run['id']}"
    while len(api.get(path).json()["node_executions"]) < 40:
        time.sleep(0.02)
    api.post(f"{path}/stop")
    stopped = time.monotonic()
    stopped_at = datetime.now(UTC)
    in_flight.wait_idle()
    settled = time.monotonic() - stopped
    nodes = api.get(path).json()["node_executions"]
    started_after = [
        n for n in nodes if n["start_time"] and datetime.fromisoformat(n["start_time"]) > stopped_at
    ]
    return {
        "engine": label,
        "seconds_until_run_node_returned": round(settled, 2),
        "node_executions_started_after_stop": len(started_after),
        "left_queued_or_running": sum(1 for n in nodes if n["status"] in ("QUEUED", "RUNNING")),
    }


def main() -> None:
    os.environ.update(
        {"JWT_VERIFY_KEY": SECRET, "ENABLE_AUTH": "true", "TABLE_NAME": "bench", "BUCKET_NAME": "bench"}
    )
    os.environ.setdefault("GRAPH_RUN_MAX_CONCURRENCY", "10")
    from agentplatform.engine import runner
    from agentplatform.engine.context import RunContext
    from local.cloud import LocalCloud
    from local.tokens import mint
    from tests.support.api import ApiGatewayClient

    cloud = LocalCloud().start()
    try:
        runner.MAX_BUFFERED_OUTPUTS = 4
        _pace_block()
        api, in_flight = ApiGatewayClient(mint(SECRET, sub=USER_ID)), InFlight()
        print(json.dumps(measure(api, in_flight, "stop checks")))
        checks = RunContext.ended
        RunContext.ended = lambda self, max_age=0.0: False  # type: ignore[method-assign]
        try:
            print(json.dumps(measure(api, in_flight, "baseline: no stop checks")))
        finally:
            RunContext.ended = checks  # type: ignore[method-assign]
    finally:
        cloud.stop()


if __name__ == "__main__":
    main()
