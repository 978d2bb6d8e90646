"""Cold-start import time of every Lambda handler module.

Each handler is imported in a fresh interpreter (as a Lambda INIT would), five times;
the median is printed with the budget for REST domain handlers (300 ms on these
machines). Run: ``.venv/bin/python bench/cold_start.py``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
REST_BUDGET_MS = 300.0

_PROBE = (
    "import time, importlib; t = time.perf_counter(); "
    "m = importlib.import_module({module!r}); assert callable(m.handler); "
    "print((time.perf_counter() - t) * 1000)"
)


def handler_modules() -> list[str]:
    modules = []
    for path in sorted((ROOT / "functions").glob("*/*.py")):
        if path.name != "__init__.py":
            modules.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return modules


def import_ms(module: str) -> float:
    env_code = _PROBE.format(module=module)
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
    print(f"{'handler':40} {'median ms':>10} {'min':>8} {'max':>8}  budget")
    over = 0
    for module in handler_modules():
        samples = [import_ms(module) for _ in range(RUNS)]
        median = statistics.median(samples)
        is_rest = module.startswith("functions.rest.")
        verdict = ("ok" if median <= REST_BUDGET_MS else "OVER") if is_rest else "-"
        over += verdict == "OVER"
        print(f"{module:40} {median:10.1f} {min(samples):8.1f} {max(samples):8.1f}  {verdict}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
