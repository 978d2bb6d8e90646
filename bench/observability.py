"""What observability costs a cold start: Powertools Logger + Metrics, and the Tracer.

Each figure is the median of fresh interpreters importing a handler module the way a
Lambda INIT does (layer and ``functions/`` on ``sys.path``, the editable finder set
aside), run interleaved so machine load hits every variant alike:

- ``handler``: the handler module as shipped (Logger + Metrics, Tracer off);
- ``handler + Tracer``: the same with ``ENABLE_TRACER=true`` (X-Ray SDK imported);
- ``observability alone``: ``agentplatform.observability`` imported after what every
  handler imports anyway (fastapi, pydantic), i.e. what Logger + Metrics add.

Run: ``.venv/bin/python bench/observability.py``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 9
HANDLERS = ("rest.graphs", "graph_run.run_node", "events.stream")

_PROBE = (
    "import sys, time, importlib; "
    "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f)]; "
    "sys.path[:0] = [{layer!r}, {functions!r}]; "
    "{warm}"
    "t = time.perf_counter(); "
    "importlib.import_module({module!r}); "
    "print((time.perf_counter() - t) * 1000)"
)


def import_ms(module: str, *, tracer: bool = False, warm: str = "") -> float:
    code = _PROBE.format(
        module=module, warm=warm, layer=str(ROOT / "layers/core/python"), functions=str(ROOT / "functions")
    )
    env = {"TABLE_NAME": "bench", "PATH": "", "AWS_DEFAULT_REGION": "us-east-1"}
    if tracer:
        env["ENABLE_TRACER"] = "true"
    out = subprocess.run(
        [sys.executable, "-X", "frozen_modules=on", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    variants = {
        f"{handler}{suffix}": (handler, tracer)
        for handler in HANDLERS
        for suffix, tracer in (("", False), (" + Tracer", True))
    }
    samples: dict[str, list[float]] = {name: [] for name in variants}
    samples["observability alone"] = []
    samples["X-Ray SDK (Tracer) alone"] = []
    for _ in range(RUNS):  # interleaved: load spikes hit every variant alike
        for name, (handler, tracer) in variants.items():
            samples[name].append(import_ms(handler, tracer=tracer))
        samples["observability alone"].append(
            import_ms("agentplatform.observability", warm="import fastapi, pydantic; ")
        )
        samples["X-Ray SDK (Tracer) alone"].append(
            import_ms("aws_xray_sdk.core", warm="import fastapi, pydantic, agentplatform.observability; ")
        )
    print(f"{'import':36} {'median ms':>10} {'min':>8} {'max':>8}   ({RUNS} runs each)")
    for name, values in samples.items():
        print(f"{name:36} {statistics.median(values):10.1f} {min(values):8.1f} {max(values):8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
