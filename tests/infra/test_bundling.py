"""The core layer's local bundling: cache keys and the layer's layout (no pip, no synthesis)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infra_cdk import bundling
from infra_cdk.config import LAYER_DIR

pytestmark = pytest.mark.infra

REQUIREMENTS = ["pydantic==2.14.3", "boto3==1.44.5"]


def test_dependency_hash_ignores_order_but_not_pins() -> None:
    assert bundling.dependencies_hash(REQUIREMENTS) == bundling.dependencies_hash(REQUIREMENTS[::-1])
    assert bundling.dependencies_hash(REQUIREMENTS) != bundling.dependencies_hash(["pydantic==2.14.2"])


def test_layer_hash_changes_with_the_source(tmp_path: Path) -> None:
    package = tmp_path / "agentplatform"
    package.mkdir()
    (package / "a.py").write_text("x = 1\n")
    before = bundling.layer_hash(package, REQUIREMENTS)
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"junk")
    assert bundling.layer_hash(package, REQUIREMENTS) == before
    (package / "a.py").write_text("x = 2\n")
    assert bundling.layer_hash(package, REQUIREMENTS) != before


def test_runtime_dependencies_are_the_pyproject_pins() -> None:
    dependencies = bundling.runtime_dependencies()
    assert any(re.fullmatch(r"aws-lambda-powertools(\[[a-z,]+\])?==[\d.]+", dep) for dep in dependencies)
    assert all("==" in dep for dep in dependencies)


def test_bundler_lays_out_cached_dependencies_and_fresh_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENTPLATFORM_BUILD_CACHE", str(tmp_path / "cache"))
    cached = bundling.cache_root() / bundling.dependencies_hash(REQUIREMENTS)
    (cached / "pydantic").mkdir(parents=True)
    (cached / "pydantic" / "__init__.py").write_text("VERSION = '2.14.3'\n")
    package = LAYER_DIR / "python" / bundling.PACKAGE
    output = tmp_path / "out"
    output.mkdir()

    assert bundling.LayerBundler(package, REQUIREMENTS).try_bundle(str(output)) is True

    assert (output / "python" / "pydantic" / "__init__.py").read_text() == "VERSION = '2.14.3'\n"
    assert (output / "python" / "agentplatform" / "__init__.py").exists()
    assert (output / "python" / "agentplatform" / "store" / "schema.py").exists()
    assert not list((output / "python").rglob("__pycache__"))
