"""Cold-start import time of every Lambda handler module.

Each handler is imported in a fresh interpreter, five times, the way a Lambda INIT
does: the layer (``layers/core/python``) and the function code (``functions/``) are
plain entries on ``sys.path`` (the editable-install finder is set aside). Handlers
import what every invocation needs at module level, since INIT runs with a CPU burst;
only modules some requests need (PyJWT + cryptography, jsonschema, Jinja2, httpx, the
block registry) are deferred. The median is printed against the 300 ms budget.
Run: ``.venv/bin/python bench/cold_start.py``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
BUDGET_MS = 300.0

_PROBE = (
    "import sys, time, importlib; "
    "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f)]; "
    "sys.path[:0] = [{layer!r}, {functions!r}]; "
    "t = time.perf_counter(); "
    "m = importlib.import_module({module!r}); assert callable(m.handler); "
    "print((time.perf_counter() - t) * 1000)"
)


def handler_modules() -> list[str]:
    """Modules as the Lambda runtime names them (``rest.graphs``, ``graph_run.plan``)."""
    functions = ROOT / "functions"
    return [
        ".".join(path.relative_to(functions).with_suffix("").parts)
        for path in sorted(functions.glob("*/*.py"))
        if path.name != "__init__.py"
    ]


def import_ms(module: str) -> float:
    env_code = _PROBE.format(
        module=module, layer=str(ROOT / "layers/core/python"), functions=str(ROOT / "functions")
    )
    out = subprocess.run(
        [sys.executable, "-X", "frozen_modules=on", "-c", env_code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"TABLE_NAME": "bench", "PATH": "", "AWS_DEFAULT_REGION": "us-east-1"},
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    print(f"{'handler':28} {'median ms':>10} {'min':>8} {'max':>8}  budget {BUDGET_MS:.0f} ms")
    for module in handler_modules():
        samples = [import_ms(module) for _ in range(RUNS)]
        median = statistics.median(samples)
        verdict = "ok" if median <= BUDGET_MS else "OVER"
        print(f"{module:28} {median:10.1f} {min(samples):8.1f} {max(samples):8.1f}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
