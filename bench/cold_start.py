"""Cold-start import CPU of every Lambda handler in the deployed layout, without and with bytecode.

Lambda mounts the layer at ``/opt`` and the function code at ``/var/task``, read-only:
no ``__pycache__`` can be written there, so whatever the assets do not carry is compiled
on every cold start. This script lays out both assets in a temporary directory the way
Lambda sees them: ``opt/python`` holds ``agentplatform`` and the runtime dependencies
(the ``[project].dependencies`` closure, copied from ``.venv`` as source files only) and
``var/task`` holds ``functions/``. A second copy adds ``__pycache__`` compiled by this
interpreter with unchecked-hash invalidation, as the CDK bundling does with a 3.12.

Each handler is imported in a fresh interpreter (``-I -S -B``: only the stdlib and the
layout on ``sys.path``, in Lambda's order; no bytecode written, as
``PYTHONDONTWRITEBYTECODE=1``) with the layout's directories read-only, several times,
alternating the two layouts; the median CPU time (``process_time``) of the import is
printed for each, with their ratio (the issue expects >= 1.7x).

REST handlers are also compared with the FastAPI + Mangum floor, a one-route app
imported the same way, in two columns. "- floor" is a handler's whole import minus the
floor's, both with bytecode (noisy: two medians of ~300 ms). "own" is the CPU a REST
handler's import takes in the bytecode layout once the floor has been imported in the
same interpreter: what our code adds (our modules, the models, building the domain's
routes), less sensitive to the load. The budget for "own" is 20 ms.

Run: ``.venv/bin/python bench/cold_start.py [--runs N] [handler ...]``.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.metadata
import json
import os
import py_compile
import shutil
import statistics
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
PACKAGE = ROOT / "layers" / "core" / "python" / "agentplatform"
RUNS = 5
EXPECTED_RATIO = 1.7
OWN_SHARE_BUDGET_MS = 20.0
FLOOR = "bench_floor"  # a module written into var/task: FastAPI + Mangum, one route
FLOOR_SOURCE = '''"""The FastAPI + Mangum floor: what any one-route REST Lambda imports."""
from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


handler = Mangum(app, lifespan="off")
'''
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc")
# Lambda's sys.path starts with the task root, then the layer's two directories.
# With a preload, the floor is imported first and only the handler's own share is timed.
_PROBE = """
import importlib, json, sys, time
task, layer = {root!r} + "/var/task", {root!r} + "/opt/python"
sys.path[:0] = [task, layer + "/lib/python{version}/site-packages", layer]
for preload in {preload!r}:
    importlib.import_module(preload)
cpu, wall = time.process_time(), time.perf_counter()
module = importlib.import_module({module!r})
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
assert callable(module.handler)
print(json.dumps([cpu * 1000, wall * 1000]))
"""
ENV = {"PATH": "", "PYTHONDONTWRITEBYTECODE": "1", "TABLE_NAME": "bench", "AWS_DEFAULT_REGION": "us-east-1"}


def handler_modules() -> list[str]:
    """Modules as the Lambda runtime names them (``rest.graphs``, ``graph_run.plan``)."""
    return [
        ".".join(path.relative_to(FUNCTIONS).with_suffix("").parts)
        for path in sorted(FUNCTIONS.glob("*/*.py"))
        if path.name != "__init__.py"
    ]


def runtime_distributions() -> list[importlib.metadata.Distribution]:
    """The installed distributions the layer ships: the pinned dependencies and theirs."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        pending = [Requirement(dep) for dep in tomllib.load(handle)["project"]["dependencies"]]
    found: dict[str, importlib.metadata.Distribution] = {}
    seen: set[tuple[str, str]] = set()
    while pending:
        requirement = pending.pop()
        distribution = importlib.metadata.distribution(requirement.name)
        name = distribution.metadata["Name"].lower()
        extras = {""} | requirement.extras
        if all((name, extra) in seen for extra in extras):
            continue
        seen.update((name, extra) for extra in extras)
        found[name] = distribution
        for text in distribution.requires or []:
            needed = Requirement(text)
            if needed.marker is None or any(needed.marker.evaluate({"extra": e}) for e in extras):
                pending.append(needed)
    return list(found.values())


def _link_or_copy(source: str | Path, destination: str | Path) -> None:
    Path(destination).parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def _installed_sources(distribution: importlib.metadata.Distribution) -> Iterator[tuple[Path, Path]]:
    for file in distribution.files or []:
        if file.parts[0] == ".." or "__pycache__" in file.parts or file.suffix == ".pyc":
            continue
        source = Path(str(distribution.locate_file(file)))
        if source.is_file():
            yield source, Path(*file.parts)


def build_source_layout(root: Path) -> None:
    """``root/opt/python`` and ``root/var/task`` as Lambda extracts them, without bytecode."""
    layer = root / "opt" / "python"
    for distribution in runtime_distributions():
        for source, relative in _installed_sources(distribution):
            _link_or_copy(source, layer / relative)
    shutil.copytree(PACKAGE, layer / "agentplatform", ignore=SKIPPED, copy_function=_link_or_copy)
    task = root / "var" / "task"
    shutil.copytree(FUNCTIONS, task, ignore=SKIPPED, copy_function=_link_or_copy)
    (task / f"{FLOOR}.py").write_text(FLOOR_SOURCE)


def add_bytecode(source_root: Path, root: Path) -> None:
    """A copy of the layout with ``__pycache__`` beside every module, as the bundling writes it."""
    shutil.copytree(source_root, root, copy_function=_link_or_copy)
    for tree in (root / "opt" / "python", root / "var" / "task"):
        ok = compileall.compile_dir(
            tree, quiet=2, workers=0, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
        )
        if not ok:
            raise RuntimeError(f"compileall failed under {tree}")


def set_read_only(root: Path, read_only: bool) -> None:
    """Directories only: files are hard links shared with .venv and the repository."""
    for directory in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        directory.chmod(0o555 if read_only else 0o755)


def import_cost(root: Path, module: str, preload: tuple[str, ...] = ()) -> tuple[float, float]:
    """CPU and wall milliseconds of importing ``module`` from the layout at ``root``,
    after ``preload`` (untimed)."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    code = _PROBE.format(root=str(root), module=module, version=version, preload=preload)
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-X", "frozen_modules=on", "-c", code],
        cwd=root / "var" / "task",
        capture_output=True,
        text=True,
        check=False,
        env=ENV,
    )
    if done.returncode != 0:
        raise RuntimeError(f"importing {module} failed:\n{done.stderr[-2000:]}")
    cpu, wall = json.loads(done.stdout.strip().splitlines()[-1])
    return cpu, wall


def measure(layouts: dict[str, Path], modules: list[str], runs: int) -> dict[str, dict[str, float]]:
    """Median import CPU ms per module and layout, plus (layout ``own``) each REST
    handler's share over the floor in the bytecode layout. Runs alternate layouts and
    modules so that drift in the machine's load falls on all alike."""
    samples: dict[str, dict[str, list[float]]] = {m: {} for m in modules}
    for _ in range(runs):
        for module in modules:
            for name, root in layouts.items():
                samples[module].setdefault(name, []).append(import_cost(root, module)[0])
            if module.startswith("rest."):
                own = import_cost(layouts["bytecode"], module, preload=(FLOOR,))[0]
                samples[module].setdefault("own", []).append(own)
    return {
        module: {name: statistics.median(values) for name, values in by_layout.items()}
        for module, by_layout in samples.items()
    }


def report(medians: dict[str, dict[str, float]], runs: int) -> None:
    floor = medians[FLOOR]["bytecode"]
    print(f"Deployed layout (read-only, no writable __pycache__): import CPU ms, median of {runs}")
    print(f"{'handler':26} {'source':>8} {'bytecode':>9} {'ratio':>6}  {'- floor':>8} {'own':>6}")
    handlers = {module: by_layout for module, by_layout in medians.items() if module != FLOOR}
    for module, by_layout in medians.items():
        source, compiled = by_layout["source"], by_layout["bytecode"]
        label = "FastAPI+Mangum floor" if module == FLOOR else module
        rest = f"  {compiled - floor:8.1f} {by_layout['own']:6.1f}" if "own" in by_layout else ""
        print(f"{label:26} {source:8.1f} {compiled:9.1f} {source / compiled:5.2f}x{rest}")
    if handlers:
        source = sum(by_layout["source"] for by_layout in handlers.values())
        compiled = sum(by_layout["bytecode"] for by_layout in handlers.values())
        ratios = [by_layout["source"] / by_layout["bytecode"] for by_layout in handlers.values()]
        verdict = "ok" if source / compiled >= EXPECTED_RATIO else "BELOW"
        print(
            f"bytecode speed-up, {len(handlers)} handlers together: {source:.0f} -> {compiled:.0f} ms, "
            f"{source / compiled:.2f}x (expected >= {EXPECTED_RATIO}x: {verdict}); per handler median "
            f"{statistics.median(ratios):.2f}x, min {min(ratios):.2f}x"
        )
    owns = [by_layout["own"] for by_layout in handlers.values() if "own" in by_layout]
    if owns:
        over = sum(own > OWN_SHARE_BUDGET_MS for own in owns)
        print(
            f'REST own share ("own": import after the floor, with bytecode): median '
            f"{statistics.median(owns):.1f} ms, max {max(owns):.1f} ms; {len(owns) - over} of {len(owns)} "
            f"handlers within the {OWN_SHARE_BUDGET_MS:.0f} ms budget"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("modules", nargs="*", help="handler modules (default: all)")
    args = parser.parse_args()
    modules = [FLOOR, *(args.modules or handler_modules())]
    with tempfile.TemporaryDirectory(prefix="cold-start-") as tmp:
        layouts = {"source": Path(tmp) / "source", "bytecode": Path(tmp) / "bytecode"}
        build_source_layout(layouts["source"])
        add_bytecode(layouts["source"], layouts["bytecode"])
        for root in layouts.values():
            set_read_only(root, True)
        try:
            medians = measure(layouts, modules, args.runs)
        finally:
            for root in layouts.values():
                set_read_only(root, False)
        if any(layouts["source"].rglob("__pycache__")):
            raise RuntimeError("an import wrote bytecode into the read-only layout")
    report(medians, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
