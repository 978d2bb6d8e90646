"""The local cloud on DynamoDB Local: list latency as the table grows, and live-event
delay under a burst of runs.

Prints, from one run of the local cloud (``agentplatform dev``'s app served by uvicorn
in this process, its table in DynamoDB Local under a temporary state dir):

1. ``GET /api/graphs`` (a user with 20 graphs) p50/p99 latency and requests/s, with the
   table holding nothing else and then 50,000 more items (other users' graphs and
   runs, indexes filled): the baseline and the ratio (target <= 1.5);
2. the delay from a run's first table write to its first WebSocket event on a client
   subscribed to the graph's runs, for a burst of 200 runs started at once, and for 30
   runs started one after another as soon as the burst has finished (target p99 <= 1 s).

Run: ``.venv/bin/python bench/local_cloud.py`` (needs Java 17+ and ``make install``);
``--burst-only`` measures only (2), on a table without the 50,000 filler items.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import percentile, serve  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-for-hs256-0123456789"
USER_ID = "3e53486c-cf57-477e-ba2a-cb02dc828e1a"
GRAPHS = 20
LIST_REQUESTS = 300
WARMUP_REQUESTS = 100
FILLER_ITEMS = 50_000
BURST_RUNS = 200
AFTER_BURST_RUNS = 30
AFTER_BURST_SPACING_SECONDS = 0.2
BURST_CLIENTS = 8

os.environ.update({"JWT_VERIFY_KEY": SECRET, "ENABLE_AUTH": "true", "TABLE_NAME": "agentplatform-bench"})


def list_graphs(http: Any) -> tuple[float, float, float]:
    """p50 and p99 in ms, and requests/s, of sequential ``GET /api/graphs``."""
    for _ in range(WARMUP_REQUESTS):
        http.get("/api/graphs")
    samples = []
    started = time.perf_counter()
    for _ in range(LIST_REQUESTS):
        begun = time.perf_counter()
        response = http.get("/api/graphs")
        samples.append((time.perf_counter() - begun) * 1000)
        assert response.status_code == 200 and len(response.json()) == GRAPHS, response.text
    elapsed = time.perf_counter() - started
    return statistics.median(samples), percentile(samples, 99), LIST_REQUESTS / elapsed


def fill_table(count: int) -> float:
    """Other users' graphs and runs, written straight to the table; seconds taken."""
    from agentplatform.aws import client
    from agentplatform.config import get_settings

    db, table = client("dynamodb"), get_settings().table_name
    blob = {"B": os.urandom(400)}
    started = time.perf_counter()

    def item(n: int) -> dict[str, Any]:
        owner = f"USER#{n % 1000:08d}-bench"
        attrs: dict[str, Any] = {"pk": {"S": owner}, "sk": {"S": f"GRAPH#{uuid.uuid4()}"}, "body": blob}
        attrs["type"] = {"S": "bench_filler"}
        if n % 2:  # half are listed through the indexes, like runs
            attrs["gsi1pk"] = {"S": f"GEXECS#{owner}"}
            attrs["gsi1sk"] = {"S": f"2026-01-01T00:00:00#{n:08d}"}
            attrs["gsi2pk"] = {"S": f"GEXECS#{owner}#g"}
            attrs["gsi2sk"] = attrs["gsi1sk"]
        return attrs

    def write(start: int) -> None:
        pending = [{"PutRequest": {"Item": item(n)}} for n in range(start, min(start + 25, count))]
        while pending:
            left = db.batch_write_item(RequestItems={table: pending}).get("UnprocessedItems", {})
            pending = left.get(table, [])

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(0, count, 25)))
    return time.perf_counter() - started


class FirstEvents:
    """Records when the first WebSocket event of each run of a graph arrives."""

    def __init__(self, url: str, graph_id: str):
        self.arrived: dict[str, float] = {}
        self._socket: Any = None
        subscribed = threading.Event()
        self._thread = threading.Thread(target=self._listen, args=(url, graph_id, subscribed), daemon=True)
        self._thread.start()
        if not subscribed.wait(120):
            raise RuntimeError("could not subscribe")

    def _listen(self, url: str, graph_id: str, subscribed: threading.Event) -> None:
        from websockets.exceptions import ConnectionClosed
        from websockets.sync.client import connect

        with connect(url, max_size=None) as socket:
            self._socket = socket
            socket.send(json.dumps({"method": "subscribe_graph_executions", "data": {"graph_id": graph_id}}))
            socket.recv(timeout=60)  # the acknowledgement
            subscribed.set()
            try:
                for raw in socket:
                    message = json.loads(raw)
                    run_id = str((message.get("data") or {}).get("id"))
                    if message.get("method") == "graph_execution_event" and run_id not in self.arrived:
                        self.arrived[run_id] = time.perf_counter()
            except ConnectionClosed:
                return

    def wait_for(self, run_ids: list[str], limit: float = 900.0) -> None:
        deadline = time.perf_counter() + limit
        while any(r not in self.arrived for r in run_ids) and time.perf_counter() < deadline:
            time.sleep(0.05)

    def close(self) -> None:
        self._socket.close()
        self._thread.join(timeout=30)


def _record_first_writes() -> dict[str, float]:
    """When each run's first item write began (``create_run``)."""
    from agentplatform.store.executions import ExecutionRepository

    first: dict[str, float] = {}
    original = ExecutionRepository.create_run

    def create_run(self: Any, item: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        first[str(item["id"])] = time.perf_counter()
        return original(self, item, *args, **kwargs)

    ExecutionRepository.create_run = create_run  # type: ignore[method-assign,assignment]
    return first


def burst(http: Any, url: str) -> tuple[list[float], list[float], float]:
    """Delays (ms) from first write to first event: for the burst's own runs (started
    at once), and for runs started one after another once the burst has finished; and
    the seconds the burst took."""
    from tests.support.graphs import input_store_output_graph

    graph = http.post("/api/graphs", json={"graph": input_store_output_graph("Burst")}).json()
    events = FirstEvents(url, graph["id"])
    first_write = _record_first_writes()

    def execute(n: int) -> str:
        response = http.post(f"/api/graphs/{graph['id']}/execute/1", json={"inputs": {"x": f"run {n}"}})
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    started = time.perf_counter()
    with ThreadPoolExecutor(BURST_CLIENTS) as pool:
        burst_ids = list(pool.map(execute, range(BURST_RUNS)))
    _wait_until_runs_finish(http)
    took = time.perf_counter() - started
    after_ids = []
    for n in range(AFTER_BURST_RUNS):
        after_ids.append(execute(BURST_RUNS + n))
        time.sleep(AFTER_BURST_SPACING_SECONDS)
    events.wait_for(burst_ids + after_ids)
    events.close()
    missing = [r for r in burst_ids + after_ids if r not in events.arrived]
    assert not missing, f"{len(missing)} runs never announced"

    def delays(ids: list[str]) -> list[float]:
        return [(events.arrived[r] - first_write[r]) * 1000 for r in ids]

    return delays(burst_ids), delays(after_ids), took


def _wait_until_runs_finish(http: Any, limit: float = 900.0) -> None:
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        statuses = {run["status"] for run in http.get("/api/executions").json()}
        if not statuses & {"QUEUED", "RUNNING", "INCOMPLETE"}:
            return
        time.sleep(1)


def main() -> int:
    import argparse

    import httpx

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst-only", action="store_true", help="only the live-event delay after a burst")
    args = parser.parse_args()

    from local.cloud import DYNAMODB_LOCAL_ENGINE, LocalCloud
    from local.tokens import mint
    from tests.support.graphs import input_store_output_graph

    state_dir = Path(tempfile.mkdtemp(prefix="bench-local-cloud-"))
    cloud = LocalCloud(state_dir).start()
    if cloud.table_engine != DYNAMODB_LOCAL_ENGINE:
        print(f"local cloud bench skipped: {cloud.fallback_reason}")
        cloud.stop()
        return 0
    server, thread, port = serve(cloud)
    token = mint(SECRET, sub=USER_ID)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=120) as http:
            http.post("/api/auth/user")
            for n in range(GRAPHS):
                http.post("/api/graphs", json={"graph": input_store_output_graph(f"Graph {n}")})
            if not args.burst_only:
                empty = list_graphs(http)
                fill_seconds = fill_table(FILLER_ITEMS)
                full = list_graphs(http)
            burst_delays, after_delays, burst_seconds = burst(http, f"ws://127.0.0.1:{port}/ws?token={token}")
    finally:
        server.should_exit = True
        thread.join(timeout=60)
        cloud.stop()
        shutil.rmtree(state_dir, ignore_errors=True)

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"local cloud, table in DynamoDB Local; {os.cpu_count()} cores, load average {load}")
    if not args.burst_only:
        print(f"GET /api/graphs ({GRAPHS} graphs), {LIST_REQUESTS} sequential requests each:")
        print(f"  {'items in table':>16}  {'p50 ms':>8}  {'p99 ms':>8}  {'req/s':>7}")
        print(f"  {'~' + str(GRAPHS * 2):>16}  {empty[0]:8.1f}  {empty[1]:8.1f}  {empty[2]:7.1f}")
        print(f"  {'+' + format(FILLER_ITEMS, ','):>16}  {full[0]:8.1f}  {full[1]:8.1f}  {full[2]:7.1f}")
        print(
            f"  ratio (full/empty): p50 {full[0] / empty[0]:.2f}, p99 {full[1] / empty[1]:.2f},"
            f" req/s {empty[2] / full[2]:.2f}   (target <= 1.5; filling took {fill_seconds:.0f} s)"
        )
    print(f"first table write of a run -> its first WebSocket event (the burst took {burst_seconds:.0f} s):")
    for label, values in (
        (f"the burst's {BURST_RUNS} runs", burst_delays),
        (f"{AFTER_BURST_RUNS} runs right after it", after_delays),
    ):
        print(
            f"  {label:>26}: p50 {statistics.median(values):7.0f} ms   p99 {percentile(values, 99):7.0f} ms"
            f"   max {max(values):7.0f} ms"
        )
    print("  (target: p99 <= 1000 ms for the runs right after the burst)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
