"""Human-review benchmark on the local cloud (moto in-process): what a pause costs.

One graph, input -> HumanInTheLoopBlock -> output, run twice: with
``human_in_the_loop_safe_mode`` off (the baseline: it runs straight through) and on (it
pauses in REVIEW, waits ``--wait`` seconds, is approved, and resumes). Prints Step
Functions history events and executions of each, the events and Lambda invocations
that happened while the run waited (the design's point: none), and the time from the
approval to COMPLETED. Poll pauses are 1 s here, so a polling wait would show up.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engine import SECRET, USER_ID, _history

AGENT_INPUT = "c0a8e994-ebf1-4a9c-a4d8-89d09c86741b"
AGENT_OUTPUT = "363ae599-353e-4804-937e-b2ee3cef3da4"
HITL = "8b2a7b3c-6e9d-4a5f-8c1b-2e3f4a5b6c7d"


def _graph() -> dict[str, Any]:
    def node(node_id: str, block_id: str, **defaults: Any) -> dict[str, Any]:
        return {"id": node_id, "block_id": block_id, "input_default": defaults, "metadata": {}}

    def link(source: str, source_name: str, sink: str, sink_name: str) -> dict[str, Any]:
        return {"source_id": source, "source_name": source_name, "sink_id": sink, "sink_name": sink_name}

    return {
        "name": "reviewed",
        "nodes": [
            node("in", AGENT_INPUT, name="x"),
            node("hitl", HITL, name="x"),
            node("out", AGENT_OUTPUT, name="y"),
        ],
        "links": [link("in", "result", "hitl", "data"), link("hitl", "approved_data", "out", "value")],
    }


def _executions(sfn: Any, run_id: str) -> list[dict[str, Any]]:
    listed = sfn.list_executions(stateMachineArn=os.environ["STATE_MACHINE_ARN"])["executions"]
    return [e for e in listed if e["name"].split("--")[0] == run_id]


def _settled(sfn: Any, run_id: str) -> list[dict[str, Any]]:
    while True:
        found = _executions(sfn, run_id)
        if found and all(e["status"] != "RUNNING" for e in found):
            return found
        time.sleep(0.02)


def _events(sfn: Any, executions: list[dict[str, Any]]) -> int:
    return sum(len(_history(sfn, e["executionArn"])) for e in executions)


def _status(api: Any, graph_id: str, run_id: str, wanted: tuple[str, ...]) -> dict[str, Any]:
    while True:
        run = api.get(f"/api/graphs/{graph_id}/executions/{run_id}").json()
        if run["status"] in wanted:
            return dict(run)
        time.sleep(0.02)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wait", type=float, default=5.0, help="seconds the run waits in REVIEW")
    args = parser.parse_args()
    os.environ.update(
        {"JWT_VERIFY_KEY": SECRET, "ENABLE_AUTH": "true", "TABLE_NAME": "bench", "BUCKET_NAME": "bench"}
    )
    os.environ.setdefault("GRAPH_RUN_POLL_SECONDS", "1")
    from agentplatform.aws import client
    from local.cloud import LocalCloud
    from local.stepfunctions import invocation_counts
    from local.tokens import mint
    from tests.support.api import ApiGatewayClient

    cloud = LocalCloud().start()
    try:
        api = ApiGatewayClient(mint(SECRET, sub=USER_ID))
        sfn = client("stepfunctions")
        for safe_mode in (False, True):
            graph = api.post("/api/graphs", json_body={"graph": _graph()}).json()
            api.patch(
                f"/api/graphs/{graph['id']}/settings", json_body={"human_in_the_loop_safe_mode": safe_mode}
            )
            run = api.post(f"/api/graphs/{graph['id']}/execute/1", json_body={"inputs": {"x": 1}}).json()
            result: dict[str, Any] = {"human_in_the_loop_safe_mode": safe_mode}
            if safe_mode:
                _status(api, graph["id"], run["id"], ("REVIEW",))
                paused = _settled(sfn, run["id"])
                before, invocations = _events(sfn, paused), sum(invocation_counts.values())
                time.sleep(args.wait)
                result["history_events_until_paused"] = before
                result["history_events_while_waiting"] = _events(sfn, _executions(sfn, run["id"])) - before
                result["lambda_invocations_while_waiting"] = sum(invocation_counts.values()) - invocations
                result["waited_s"] = args.wait
                (review,) = api.get(f"/api/review/execution/{run['id']}").json()
                approved = time.perf_counter()
                api.post(
                    "/api/review/action",
                    json_body={"reviews": [{"node_exec_id": review["node_exec_id"], "approved": True}]},
                )
                _status(api, graph["id"], run["id"], ("COMPLETED", "FAILED", "TERMINATED"))
                result["approval_to_completed_s"] = round(time.perf_counter() - approved, 3)
            done = _status(api, graph["id"], run["id"], ("COMPLETED", "FAILED", "TERMINATED"))
            executions = _settled(sfn, run["id"])
            result.update(
                status=done["status"], executions=len(executions), history_events=_events(sfn, executions)
            )
            print(json.dumps(result))
    finally:
        cloud.stop()


if __name__ == "__main__":
    main()
