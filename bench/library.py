"""Library list page: our own time at 10, 100 and 1,000 library agents.

    .venv/bin/python bench/library.py

"Our own time" is what the library Lambda spends on a warm ``GET /api/library/agents``
besides waiting for DynamoDB: botocore building the Query and parsing its response,
decoding the items, filtering, sorting, building the page and FastAPI/Mangum answering.
To measure exactly that, DynamoDB's answer is replayed: a botocore ``before-send`` hook
returns the Query response DynamoDB would send (the user's library items, in DynamoDB's
JSON wire format) instead of sending the request. Items are built the way the library
writes them, from a graph with inputs, outputs and a credentials field.

Printed per size, median CPU time (and wall time) in ms: the baseline (the naive
design: one Query reading every agent whole), the service call for the default page
(one Query of the agents' ``doc`` + one BatchGetItem for the page), a search, the
favourites page, and the whole warm Lambda invocation (JWT check, FastAPI, Mangum).
Budget: 100 ms of CPU for the whole invocation at 1,000 agents.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import RawBody, wire_item

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "TABLE_NAME": "bench",
        "JWT_VERIFY_KEY": "bench-secret-key-that-is-long-enough-for-hs256-0123456789",
        "JWT_SIGN_ALGORITHM": "HS256",
        "ENABLE_AUTH": "true",
    }
)

USER_ID = "3e53486c-cf57-477e-ba2a-cb02dc828e1a"
SIZES = (10, 100, 1000)
SAMPLES = 25
BUDGET_MS = 100.0
AGENT_INPUT = "c0a8e994-ebf1-4a9c-a4d8-89d09c86741b"
AGENT_OUTPUT = "363ae599-353e-4804-937e-b2ee3cef3da4"
LLM_CALL = "1f292d4a-41a4-4977-9684-7c8d560b9f91"  # AITextGeneratorBlock: a credentials field


def _graph() -> Any:
    import agentplatform.graphs  # noqa: F401  (registers the schemas GraphModel computes)
    from agentplatform.models.graph import GraphModel, NodeModel

    def io(block_id: str, name: str) -> NodeModel:
        return NodeModel(id=name, block_id=block_id, input_default={"name": name})

    nodes = [io(AGENT_INPUT, f"input_{i}") for i in range(3)]
    nodes += [io(AGENT_OUTPUT, f"output_{i}") for i in range(2)]
    nodes.append(NodeModel(id="llm", block_id=LLM_CALL, input_default={"prompt": "Summarise"}))
    return GraphModel(id="g", user_id=USER_ID, name="Agent", description="", nodes=nodes)


def library_items(count: int) -> list[dict[str, Any]]:
    """``count`` agents as the library stores them (one graph snapshot, built once)."""
    from agentplatform.store import keys
    from agentplatform.store.library import agent_item, library_agent_id

    template = agent_item(USER_ID, "x", _graph(), settings={}, latest_version=1, at="")
    items = []
    for index in range(count):
        graph_id = f"00000000-0000-4000-8000-{index:012d}"
        agent_id = library_agent_id(USER_ID, graph_id)
        at = f"2025-01-01T00:00:00.{index:06d}+00:00"
        item = {
            **template,
            "sk": keys.library_agent_sk(agent_id),
            "id": agent_id,
            "graph_id": graph_id,
            "name": f"Agent {index}",
            "description": f"Agent number {index}: reads three inputs, asks a model, writes two outputs.",
            "created_at": at,
            "updated_at": at,
            "is_favorite": index % 10 == 0,
            "last_run_status": "COMPLETED",
            "last_completed_at": at,
            "active_runs": {f"run-{index}": "RUNNING"} if index % 7 == 0 else {},
        }
        items.append(item)
    return items


class Replay:
    """Answers this process's DynamoDB Query and BatchGetItem requests as DynamoDB would
    for the stored ``items``, without leaving the process. Response bodies are encoded
    ahead of time: encoding them is DynamoDB's work, not ours."""

    def __init__(self, items: list[dict[str, Any]]):
        from agentplatform.store.library import stored_item

        wire = [wire_item(stored_item(item)) for item in items]
        self.by_sk = {item["sk"]["S"]: item for item in wire}
        self.full = self._items(wire)
        self.docs = self._items([{"doc": item["doc"]} for item in wire])
        self.batches: dict[tuple[str, ...], bytes] = {}

    @staticmethod
    def _items(items: list[dict[str, Any]]) -> bytes:
        return json.dumps({"Items": items, "Count": len(items), "ScannedCount": len(items)}).encode()

    def _batch(self, payload: dict[str, Any]) -> bytes:
        [(table, wanted)] = payload["RequestItems"].items()
        sks = tuple(key["sk"]["S"] for key in wanted["Keys"])
        if sks not in self.batches:
            found = [self.by_sk[sk] for sk in sks if sk in self.by_sk]
            self.batches[sks] = json.dumps({"Responses": {table: found}, "UnprocessedKeys": {}}).encode()
        return self.batches[sks]

    def answer(self, request: Any, event_name: str, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        payload = json.loads(request.body)
        if event_name.endswith(".Query"):
            body = self.docs if "ProjectionExpression" in payload else self.full
        else:
            body = self._batch(payload)
        return AWSResponse(request.url, 200, {"content-type": "application/x-amz-json-1.0"}, RawBody(body))

    def install(self) -> None:
        from agentplatform.aws import client

        events = client("dynamodb").meta.events
        for operation in ("Query", "BatchGetItem"):
            event = f"before-send.dynamodb.{operation}"
            events.unregister(event, unique_id=f"bench-replay-{operation}")
            events.register(event, self.answer, unique_id=f"bench-replay-{operation}")


def median_ms(call: Callable[[], Any]) -> tuple[float, float]:
    """Median CPU time and wall time of ``call``, in ms. CPU time is the figure: on a
    shared machine wall time also counts waiting for a core."""
    call()  # warm
    cpu, wall = [], []
    for _ in range(SAMPLES):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        call()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start_wall) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def lambda_call() -> Callable[[], Any]:
    from functions.rest.library import handler
    from local.apigw import proxy_event
    from local.tokens import mint

    token = mint(os.environ["JWT_VERIFY_KEY"], sub=USER_ID)
    event = proxy_event(
        "GET",
        "/api/library/agents",
        resource="/api/library/agents",
        headers={"host": "bench", "authorization": f"Bearer {token}"},
    )

    def call() -> Any:
        result = handler(event, None)
        assert result["statusCode"] == 200, result
        return result

    return call


def main() -> int:
    from agentplatform.library.service import LibraryService
    from agentplatform.models.library import LibraryAgentSort
    from agentplatform.store import keys
    from agentplatform.store.table import Table

    service, table, pk = LibraryService(), Table(), keys.user_pk(USER_ID)
    handler = lambda_call()
    print(f"library list page, median of {SAMPLES}: CPU ms (wall ms); budget {BUDGET_MS:.0f} ms CPU")
    columns = ("baseline read", "page", "search", "favourites", "Lambda")
    print(f"{'agents':>7} {columns[0]:>16} " + " ".join(f"{name:>14}" for name in columns[1:]))
    worst = 0.0
    for size in SIZES:
        Replay(library_items(size)).install()
        figures = [
            median_ms(lambda: list(table.query(pk, prefix=keys.LIBRARY_AGENT_PREFIX))),
            median_ms(lambda: service.list(USER_ID, None, LibraryAgentSort.UPDATED_AT, 1, 15)),
            median_ms(lambda: service.list(USER_ID, "number 9", LibraryAgentSort.CREATED_AT, 1, 15)),
            median_ms(lambda: service.favorites(USER_ID, 1, 15)),
            median_ms(handler),
        ]
        worst = max(worst, figures[-1][0])
        cells = [f"{cpu:.1f} ({wall:.1f})" for cpu, wall in figures]
        print(f"{size:>7} {cells[0]:>16} " + " ".join(f"{cell:>14}" for cell in cells[1:]))
    verdict = "within" if worst <= BUDGET_MS else "OVER"
    print(f"slowest Lambda page: {worst:.1f} ms CPU, {verdict} the {BUDGET_MS:.0f} ms budget")
    return 0 if worst <= BUDGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
