"""The core layer: ``agentplatform`` plus its runtime dependencies, built without Docker.

``pip install --platform ... --only-binary=:all:`` fetches the Lambda's (arm64, CPython
3.12) wheels from this machine. The installed dependencies are cached per hash of the
dependency pins, outside the repository, so only a change to ``[project].dependencies``
pays for pip again; the layer's own source is copied fresh on every bundle. The asset
hash covers both, so CDK skips bundling entirely while neither changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, ILocalBundling
from aws_cdk import aws_lambda as lambda_

from infra_cdk.config import LAYER_DIR, PYPROJECT

PACKAGE = "agentplatform"
PYTHON_VERSION = "3.12"
# AL2023 (the python3.12 runtime) has glibc 2.34: wheels for older manylinux tags all fit.
PIP_TARGET_ARGS = (
    "--platform",
    "manylinux2014_aarch64",
    "--platform",
    "manylinux_2_28_aarch64",
    "--implementation",
    "cp",
    "--python-version",
    PYTHON_VERSION,
    "--only-binary=:all:",
)
SKIP_NAMES = {"__pycache__", "bin"}


def runtime_dependencies(pyproject: Path = PYPROJECT) -> list[str]:
    with pyproject.open("rb") as handle:
        return list(tomllib.load(handle)["project"]["dependencies"])


def dependencies_hash(requirements: list[str]) -> str:
    digest = hashlib.sha256("\n".join([*PIP_TARGET_ARGS, *sorted(requirements)]).encode())
    return digest.hexdigest()[:20]


def _source_files(package_dir: Path) -> Iterator[Path]:
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path


def layer_hash(package_dir: Path, requirements: list[str]) -> str:
    digest = hashlib.sha256(dependencies_hash(requirements).encode())
    for path in _source_files(package_dir):
        digest.update(str(path.relative_to(package_dir)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_root() -> Path:
    base = os.environ.get("AGENTPLATFORM_BUILD_CACHE") or os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "agentplatform" / "layer-deps"


def cached_dependencies(requirements: list[str], root: Path | None = None) -> Path:
    """The installed dependency tree for ``requirements``; pip runs only on a cache miss."""
    target = (root or cache_root()) / dependencies_hash(requirements)
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--no-compile", "--target", str(staging), *PIP_TARGET_ARGS, *requirements]
    try:
        subprocess.run(command, check=True)
        for name in SKIP_NAMES:
            shutil.rmtree(staging / name, ignore_errors=True)
        # Atomic publish: a concurrent synth either sees the whole tree or builds its own.
        os.replace(staging, target)
    except OSError:
        if not target.is_dir():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


@jsii.implements(ILocalBundling)
class LayerBundler:
    """Local bundling for the core layer; never falls back to Docker."""

    def __init__(self, package_dir: Path, requirements: list[str]):
        self._package_dir = package_dir
        self._requirements = requirements

    def try_bundle(self, output_dir: str, *_args: Any, **_options: Any) -> bool:
        python_dir = Path(output_dir) / "python"
        dependencies = cached_dependencies(self._requirements)
        # Hard links: the 60+ MB tree lands in cdk.out in milliseconds and costs no space.
        shutil.copytree(dependencies, python_dir, copy_function=_link_or_copy, dirs_exist_ok=True)
        shutil.copytree(
            self._package_dir,
            python_dir / PACKAGE,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            dirs_exist_ok=True,
        )
        # Prebuilt GET /api/blocks catalogue: schemas rendered once here, not per cold start.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "agentplatform.blocks.catalogue",
                "--output",
                str(python_dir / PACKAGE / "blocks" / "catalogue.json"),
            ],
            check=True,
        )
        return True


def layer_code(*, bundle: bool) -> lambda_.Code:
    """The layer's asset: dependencies + source when ``bundle``, else the source alone."""
    if not bundle:
        return lambda_.Code.from_asset(str(LAYER_DIR), exclude=["**/__pycache__", "*.pyc"])
    package_dir = LAYER_DIR / "python" / PACKAGE
    requirements = runtime_dependencies()
    return lambda_.Code.from_asset(
        str(LAYER_DIR),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=layer_hash(package_dir, requirements),
        bundling=BundlingOptions(
            image=lambda_.Runtime.PYTHON_3_12.bundling_image,
            local=LayerBundler(package_dir, requirements),
        ),
    )
