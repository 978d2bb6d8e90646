"""SnapStart restore hooks: every restored environment draws its own random numbers."""

from __future__ import annotations

import random
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agentplatform.snapstart import register_restore_hooks

ROOT = Path(__file__).resolve().parents[2]


def test_random_is_reseeded_after_a_restore(monkeypatch: pytest.MonkeyPatch) -> None:
    hooks: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_after_restore = lambda hook, *args: hooks.append((hook, args))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)

    register_restore_hooks()

    random.seed(7)  # the state INIT leaves in the snapshot, identical in every copy
    snapshot = random.getstate()
    for hook, args in hooks:
        hook(*args)
    assert random.getstate() != snapshot


def test_outside_lambda_nothing_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import fails
    random.seed(7)
    snapshot = random.getstate()
    register_restore_hooks()
    assert random.getstate() == snapshot


@pytest.mark.parametrize("package", ["rest", "graph_run", "websocket", "events", "schedules", "notifications"])
def test_every_handler_package_registers_the_hooks_at_init(package: str, tmp_path: Path) -> None:
    (tmp_path / "snapshot_restore_py.py").write_text(
        "HOOKS = []\ndef register_after_restore(hook, *args): HOOKS.append(hook)\n"
    )
    code = f"import snapshot_restore_py, functions.{package}; print(len(snapshot_restore_py.HOOKS))"
    env = {"PATH": "", "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "1"
