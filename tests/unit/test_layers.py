"""The layering contracts (``.importlinter``) hold, and break when a lower layer imports
a higher one: ``make lint`` runs the same ``lint-imports`` on the same contracts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(source_root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(source_root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(ROOT / ".importlinter")],
        cwd=source_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the sources the contracts cover, to break on purpose."""
    shutil.copytree(ROOT / "layers/core/python/agentplatform", tmp_path / "agentplatform")
    for package in ("functions", "local", "cli"):
        shutil.copytree(ROOT / package, tmp_path / package)
    return tmp_path


def test_make_lint_checks_the_contracts():
    recipe = (ROOT / "Makefile").read_text().split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "lint-imports" in recipe


@pytest.mark.parametrize(
    ("module", "imports", "broken"),
    [
        ("store/_probe.py", "from agentplatform.api import deps", "Core layers"),
        ("models/_probe.py", "from agentplatform.engine import runner", "Core layers"),
        ("engine/_probe.py", "from agentplatform.executions import service", "Core layers"),
        ("library/_probe.py", "from agentplatform.api.routers import graphs", "Domain services"),
        ("store/_probe.py", "from local import cloud", "never imports the Lambda entry points"),
    ],
)
def test_a_lower_layer_importing_a_higher_one_fails_the_lint(tree, module, imports, broken):
    (tree / "agentplatform" / module).write_text(f"{imports}\n")
    result = _lint(tree)
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout
    assert broken in result.stdout.split("Broken contracts", 1)[1]
    probe = "agentplatform." + module.removesuffix(".py").replace("/", ".")
    assert probe in result.stdout


def test_the_sources_as_they_are_keep_every_contract(tree):
    result = _lint(tree)
    assert result.returncode == 0, result.stdout
    assert "Contracts: 3 kept, 0 broken." in result.stdout
