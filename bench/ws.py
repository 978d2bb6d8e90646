"""Live-event latency and fan-out on the local cloud.

Prints (1) p50/p99 latency from a node output write to the subscribed client's
receipt, over 200 outputs, and (2) the time to fan one event out to 100 connections
(write to the last socket's receipt, and the events Lambda's own post loop), over
10 events. Everything runs in this process on moto, through the real path: table
stream -> events Lambda -> management API -> WebSocket. These are local numbers
(one Python process, two cores): on AWS add the stream's own delay (typically
tens to a few hundred ms) and the management API's round trips.
Run: ``.venv/bin/python bench/ws.py``.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import percentile, serve  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-for-hs256-0123456789"
USER_ID = "3e53486c-cf57-477e-ba2a-cb02dc828e1a"
OUTPUTS = 200
CONNECTIONS = 100
FANOUT_EVENTS = 10

os.environ.update({"JWT_VERIFY_KEY": SECRET, "ENABLE_AUTH": "true", "TABLE_NAME": "agentplatform-bench"})


def latency(url: str) -> tuple[list[float], list[float]]:
    """Milliseconds from each output write starting (and from it returning) to the
    client holding the event."""
    import json

    from websockets.sync.client import connect

    from tests.ws.support import RunWriter

    run = RunWriter(USER_ID)
    samples: list[float] = []
    after_write: list[float] = []
    with connect(url) as client:
        client.send(
            json.dumps({"method": "subscribe_graph_execution", "data": {"graph_exec_id": run.graph_exec_id}})
        )
        client.recv(timeout=30)
        run.create()
        run.start()
        for _ in range(4):
            client.recv(timeout=30)
        for n in range(OUTPUTS):
            started = time.perf_counter()
            run.output({"output": [f"value {n}"]}, prior=n, final=False)
            written = time.perf_counter()
            while json.loads(client.recv(timeout=30))["data"].get("output_data", {}).get("output", [None])[
                -1
            ] != (f"value {n}"):
                pass
            samples.append((time.perf_counter() - started) * 1000)
            after_write.append((time.perf_counter() - written) * 1000)
    return samples, after_write


async def _fanout_async(url: str) -> tuple[list[float], list[float]]:
    import json

    from websockets.asyncio.client import connect

    from agentplatform.events import fanout
    from tests.ws.support import RunWriter

    post_loop: list[float] = []
    original = fanout.Fanout._post_all

    def timed(self: Any, outbox: dict[str, list[Any]]) -> int | None:
        started = time.perf_counter()
        try:
            return original(self, outbox)
        finally:
            if len(outbox) >= CONNECTIONS:
                post_loop.append((time.perf_counter() - started) * 1000)

    fanout.Fanout._post_all = timed  # type: ignore[method-assign]
    run = RunWriter(USER_ID)
    clients = [await connect(url) for _ in range(CONNECTIONS)]
    subscribe = json.dumps(
        {"method": "subscribe_graph_execution", "data": {"graph_exec_id": run.graph_exec_id}}
    )
    for client in clients:
        await client.send(subscribe)
        await client.recv()
    await asyncio.to_thread(run.create)
    await asyncio.to_thread(run.start)
    for client in clients:
        for _ in range(4):
            await client.recv()
    end_to_end: list[float] = []
    for n in range(FANOUT_EVENTS):
        started = time.perf_counter()
        await asyncio.to_thread(run.output, {"output": [n]}, prior=n, final=False)
        await asyncio.gather(*(client.recv() for client in clients))
        end_to_end.append((time.perf_counter() - started) * 1000)
    for client in clients:
        await client.close()
    fanout.Fanout._post_all = original  # type: ignore[method-assign]
    return end_to_end, post_loop


def main() -> int:
    from local.cloud import LocalCloud
    from local.tokens import mint

    cloud = LocalCloud(state_dir=None).start()
    server, thread, port = serve(cloud)
    url = f"ws://127.0.0.1:{port}/ws?token={mint(SECRET, sub=USER_ID)}"
    try:
        samples, after_write = latency(url)
        end_to_end, post_loop = asyncio.run(_fanout_async(url))
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        cloud.stop()
    print(f"node output write -> client receipt over {len(samples)} events (local cloud):")
    print(f"  p50 {statistics.median(samples):7.1f} ms   p99 {percentile(samples, 99):7.1f} ms")
    print(
        f"  (from the write returning: p50 {statistics.median(after_write):7.1f} ms"
        f"   p99 {percentile(after_write, 99):7.1f} ms)"
    )
    print(f"one event fanned out to {CONNECTIONS} connections, over {len(end_to_end)} events:")
    print(
        f"  write -> last socket's receipt  median {statistics.median(end_to_end):7.1f} ms"
        f"   max {max(end_to_end):7.1f} ms"
    )
    print(
        f"  events Lambda post loop ({CONNECTIONS} posts)  median {statistics.median(post_loop):7.1f} ms"
        f"   max {max(post_loop):7.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
