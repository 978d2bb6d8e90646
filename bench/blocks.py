"""Block library benchmarks: cold catalogue build and execute() overhead.

    .venv/bin/python bench/blocks.py

1. Cold ``GET /api/blocks``: in a fresh interpreter per sample, the time to discover
   every block and to serialize the catalogue (what the first request of a cold
   Lambda pays on top of interpreter start). Median of 5; the 50 ms budget is for the
   serialization. Measured twice: rendering every schema live, and with the
   build-time ``catalogue.json`` (``python -m agentplatform.blocks.catalogue``).
2. ``execute()`` overhead: per-call time of ``StoreValueBlock.execute`` (validation,
   schema instantiation, output checks) minus a bare ``run()`` call on parsed input.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MS = 50.0
SAMPLES = 5
CALLS = 3000

_COLD_SNIPPET = """
import json, time
t0 = time.perf_counter()
from agentplatform.blocks.registry import get_blocks
from agentplatform.api.routers.blocks import block_catalogue
t1 = time.perf_counter()
blocks = get_blocks()
t2, c2 = time.perf_counter(), time.process_time()
body = block_catalogue()
t3, c3 = time.perf_counter(), time.process_time()
print(json.dumps({"import_ms": (t1 - t0) * 1e3, "discover_ms": (t2 - t1) * 1e3,
                  "serialize_ms": (t3 - t2) * 1e3, "serialize_cpu_ms": (c3 - c2) * 1e3,
                  "blocks": len(blocks), "bytes": len(body)}))
"""


def cold_sample() -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _COLD_SNIPPET], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


async def _per_call_us(make_gen, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        async for _pair in make_gen():
            pass
    return (time.perf_counter() - start) / calls * 1e6


def execute_overhead() -> tuple[float, float]:
    from agentplatform.blocks.builtin.basic import StoreValueBlock

    block = StoreValueBlock()
    data = {"input": "Hello, World!", "data": "Existing Data"}
    parsed = block.input_schema(**data)

    async def measure() -> tuple[float, float]:
        await _per_call_us(lambda: block.execute(data), 200)  # warm caches
        execute_us = statistics.median(
            [await _per_call_us(lambda: block.execute(data), CALLS) for _ in range(3)]
        )
        run_us = statistics.median([await _per_call_us(lambda: block.run(parsed), CALLS) for _ in range(3)])
        return execute_us, run_us

    return asyncio.run(measure())


def _report_cold(label: str) -> None:
    samples = [cold_sample() for _ in range(SAMPLES)]
    serialize = statistics.median(s["serialize_ms"] for s in samples)
    verdict = "within" if serialize <= BUDGET_MS else "OVER"
    print(f"[{label}]")
    first = samples[0]
    print(f"  blocks registered:             {int(first['blocks'])} ({int(first['bytes'])} bytes JSON)")
    print(f"  import registry + router:      {statistics.median(s['import_ms'] for s in samples):.1f} ms")
    print(f"  discover blocks:               {statistics.median(s['discover_ms'] for s in samples):.1f} ms")
    print(
        f"  serialize catalogue:           {serialize:.1f} ms "
        f"(CPU {statistics.median(s['serialize_cpu_ms'] for s in samples):.1f} ms; "
        f"{verdict} the {BUDGET_MS:.0f} ms budget)"
    )


def main() -> None:
    from agentplatform.blocks import catalogue

    existing = catalogue.CATALOGUE_FILE.read_bytes() if catalogue.CATALOGUE_FILE.exists() else None
    try:
        catalogue.CATALOGUE_FILE.unlink(missing_ok=True)
        _report_cold(f"cold GET /api/blocks, schemas rendered live, median of {SAMPLES}")
        from agentplatform.blocks.registry import get_blocks

        catalogue.write_catalogue(get_blocks())
        _report_cold(f"cold GET /api/blocks, prebuilt catalogue.json, median of {SAMPLES}")
    finally:
        if existing is None:
            catalogue.CATALOGUE_FILE.unlink(missing_ok=True)
        else:
            catalogue.CATALOGUE_FILE.write_bytes(existing)
    execute_us, run_us = execute_overhead()
    print("[execute() of a trivial block (StoreValueBlock)]")
    print(f"  execute():                     {execute_us:.1f} us/call")
    print(f"  run() alone:                   {run_us:.1f} us/call")
    print(f"  execute() overhead:            {execute_us - run_us:.1f} us/call")


if __name__ == "__main__":
    main()
