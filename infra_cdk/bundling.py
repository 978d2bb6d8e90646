"""The core layer and the function code, built without Docker, with bytecode for Lambda.

``pip install --platform ... --only-binary=:all:`` fetches the Lambda's (arm64, CPython
3.12) wheels from this machine. The installed dependencies are cached per hash of the
dependency pins, outside the repository, so only a change to ``[project].dependencies``
pays for pip again; the layer's own source is copied fresh on every bundle. The asset
hash covers both, so CDK skips bundling entirely while neither changes.

When a CPython 3.12 is found (``infra_cdk.bytecode``) both assets also carry its
``__pycache__``: the dependencies are compiled once per pin set (a second cache entry
beside the plain one), our own source on every bundle. The bytecode tag is part of every
asset hash, so finding (or losing) that interpreter rebuilds the assets.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, ILocalBundling
from aws_cdk import aws_lambda as lambda_

from infra_cdk import bytecode
from infra_cdk.bytecode import Interpreter
from infra_cdk.config import FUNCTIONS_DIR, LAYER_DIR, PYPROJECT

PACKAGE = "agentplatform"
PYTHON_VERSION = bytecode.PYTHON_VERSION
# Where Lambda mounts each asset: the paths the bytecode records for tracebacks.
LAYER_MOUNT = "/opt/python"
TASK_ROOT = "/var/task"
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
BYTECODE_EXCLUDES = ("**/__pycache__", "*.pyc")  # asset excludes
WITHOUT_BYTECODE = shutil.ignore_patterns("__pycache__", "*.pyc")  # copytree's


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


def _source_hash(directory: Path, *salt: str) -> str:
    digest = hashlib.sha256("\n".join(salt).encode())
    for path in _source_files(directory):
        digest.update(str(path.relative_to(directory)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def layer_hash(package_dir: Path, requirements: list[str], bytecode_tag: str = "") -> str:
    return _source_hash(package_dir, dependencies_hash(requirements), bytecode_tag)


def functions_hash(functions_dir: Path, bytecode_tag: str) -> str:
    return _source_hash(functions_dir, bytecode_tag)


def cache_root() -> Path:
    base = os.environ.get("AGENTPLATFORM_BUILD_CACHE") or os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "agentplatform" / "layer-deps"


def _published(target: Path, build: Callable[[Path], None]) -> Path:
    """``target``, built by ``build`` into a staging directory only if it does not exist yet."""
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    try:
        build(staging)
        # Atomic publish: a concurrent synth either sees the whole tree or builds its own.
        os.replace(staging, target)
    except OSError:
        if not target.is_dir():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def cached_dependencies(requirements: list[str], root: Path | None = None) -> Path:
    """The installed dependency tree for ``requirements``; pip runs only on a cache miss."""

    def install(staging: Path) -> None:
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        command += ["--no-compile", "--target", str(staging), *PIP_TARGET_ARGS, *requirements]
        subprocess.run(command, check=True)
        for name in SKIP_NAMES:
            shutil.rmtree(staging / name, ignore_errors=True)

    return _published((root or cache_root()) / dependencies_hash(requirements), install)


def compiled_dependencies(
    requirements: list[str], interpreter: Interpreter, root: Path | None = None
) -> Path:
    """The dependency tree with Lambda's bytecode beside it; compiled only on a cache miss."""
    plain = cached_dependencies(requirements, root)

    def compile_copy(staging: Path) -> None:
        shutil.copytree(plain, staging, copy_function=_link_or_copy, dirs_exist_ok=True)
        bytecode.compile_tree(staging, interpreter, deployed_at=LAYER_MOUNT)

    return _published(plain.with_name(f"{plain.name}-{bytecode.CACHE_TAG}"), compile_copy)


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


@jsii.implements(ILocalBundling)
class LayerBundler:
    """Local bundling for the core layer; never falls back to Docker."""

    def __init__(self, package_dir: Path, requirements: list[str], interpreter: Interpreter | None = None):
        self._package_dir = package_dir
        self._requirements = requirements
        self._interpreter = interpreter

    def try_bundle(self, output_dir: str, *_args: Any, **_options: Any) -> bool:
        python_dir = Path(output_dir) / "python"
        if self._interpreter:
            dependencies = compiled_dependencies(self._requirements, self._interpreter)
        else:
            dependencies = cached_dependencies(self._requirements)
        # Hard links: the 60+ MB tree lands in cdk.out in milliseconds and costs no space.
        shutil.copytree(dependencies, python_dir, copy_function=_link_or_copy, dirs_exist_ok=True)
        shutil.copytree(self._package_dir, python_dir / PACKAGE, ignore=WITHOUT_BYTECODE, dirs_exist_ok=True)
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
        if self._interpreter:
            package = python_dir / PACKAGE
            bytecode.compile_tree(package, self._interpreter, deployed_at=f"{LAYER_MOUNT}/{PACKAGE}")
        return True


@jsii.implements(ILocalBundling)
class FunctionsBundler:
    """The handlers (``functions/``) with their bytecode."""

    def __init__(self, functions_dir: Path, interpreter: Interpreter):
        self._functions_dir = functions_dir
        self._interpreter = interpreter

    def try_bundle(self, output_dir: str, *_args: Any, **_options: Any) -> bool:
        output = Path(output_dir)
        shutil.copytree(self._functions_dir, output, ignore=WITHOUT_BYTECODE, dirs_exist_ok=True)
        bytecode.compile_tree(output, self._interpreter, deployed_at=TASK_ROOT)
        return True


def _bundled(directory: Path, asset_hash: str, bundler: Any) -> lambda_.Code:
    return lambda_.Code.from_asset(
        str(directory),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=asset_hash,
        bundling=BundlingOptions(image=lambda_.Runtime.PYTHON_3_12.bundling_image, local=bundler),
    )


def layer_code(*, bundle: bool, interpreter: Interpreter | None = None) -> lambda_.Code:
    """The layer's asset: dependencies + source when ``bundle``, else the source alone.

    With ``interpreter`` (bundling only) both carry bytecode for the runtime.
    """
    if not bundle:
        return lambda_.Code.from_asset(str(LAYER_DIR), exclude=list(BYTECODE_EXCLUDES))
    package_dir = LAYER_DIR / "python" / PACKAGE
    requirements = runtime_dependencies()
    tag = bytecode.CACHE_TAG if interpreter else ""
    bundler = LayerBundler(package_dir, requirements, interpreter)
    return _bundled(LAYER_DIR, layer_hash(package_dir, requirements, tag), bundler)


def function_code(interpreter: Interpreter | None = None) -> lambda_.Code:
    """The handlers' asset (``functions/``), with bytecode for the runtime when ``interpreter``."""
    if interpreter is None:
        return lambda_.Code.from_asset(str(FUNCTIONS_DIR), exclude=list(BYTECODE_EXCLUDES))
    asset_hash = functions_hash(FUNCTIONS_DIR, bytecode.CACHE_TAG)
    return _bundled(FUNCTIONS_DIR, asset_hash, FunctionsBundler(FUNCTIONS_DIR, interpreter))
