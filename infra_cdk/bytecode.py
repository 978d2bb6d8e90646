"""Bytecode for the deployed runtime: ``.pyc`` files written by a CPython of Lambda's version.

Lambda mounts the layer at ``/opt`` and the function code at ``/var/task``, both
read-only, so a module without a matching ``__pycache__/<name>.cpython-312.pyc`` is
compiled again on every cold start: about as much CPU as the rest of the import
(``bench/cold_start.py``). Bytecode is specific to the interpreter's minor version (a
3.11 ``.pyc`` is ignored by 3.12), so it must come from a 3.12, found here in this order:
``python3.12`` on PATH, ``uv python find 3.12``, a pyenv 3.12, then the runtime's build
image where a Docker engine answers. Each candidate is run once to check its cache tag.

Invalidation is ``unchecked-hash``: CDK zips assets with fixed timestamps, so
timestamp-checked ``.pyc`` would not match the extracted sources, and a checked hash
re-reads every source file on import. Unchecked is safe because the bytecode is written
by the same bundling that copies its source, and the asset hash covers the sources.

No matching interpreter: the assets ship without bytecode (correct, only slower) and
synthesis says so in one warning, never with another version's bytecode.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import aws_lambda as lambda_

PYTHON_VERSION = "3.12"
CACHE_TAG = "cpython-312"  # sys.implementation.cache_tag of the Lambda runtime
BUILD_IMAGE = lambda_.Runtime.PYTHON_3_12.bundling_image.image
_PROBE = "import sys; print(sys.implementation.cache_tag)"
_PROBE_TIMEOUT = 30
_DOCKER_TIMEOUT = 600  # the first run pulls the image
NO_BYTECODE_WARNING = (
    f"WARNING: no CPython {PYTHON_VERSION} found (python{PYTHON_VERSION} on PATH, uv, pyenv or a Docker "
    "engine): the layer and functions ship WITHOUT bytecode, so every cold start compiles every "
    f"module (about 1.8x the import CPU). Install Python {PYTHON_VERSION} to ship .pyc files."
)


@dataclass(frozen=True)
class Interpreter:
    """How to run a Python whose cache tag is ``CACHE_TAG``, and where it was found."""

    command: tuple[str, ...]
    found_by: str
    docker: bool = False

    def run_args(self, tree: Path) -> list[str]:
        """The argv prefix that runs this Python with ``tree`` readable and writable."""
        if not self.docker:
            return list(self.command)
        user = f"{os.getuid()}:{os.getgid()}"
        return ["docker", "run", "--rm", "--user", user, "-v", f"{tree}:{tree}", *self.command]


def compile_tree(tree: Path, interpreter: Interpreter, *, deployed_at: str) -> None:
    """Write ``__pycache__/*.cpython-312.pyc`` beside every module under ``tree``.

    ``deployed_at`` is where ``tree`` is mounted in Lambda (``/opt/python``): the paths
    recorded in the bytecode are Lambda's, not this machine's.
    """
    options = ["-q", "-j", "0", "--invalidation-mode", "unchecked-hash"]
    paths = ["-s", str(tree), "-p", deployed_at, str(tree)]
    subprocess.run([*interpreter.run_args(tree), "-m", "compileall", *options, *paths], check=True)


@functools.cache
def find_interpreter() -> Interpreter | None:
    """The first working CPython 3.12 on this machine, or None. Looked up once per process."""
    for interpreter in _candidates():
        if _cache_tag(interpreter) == CACHE_TAG:
            return interpreter
    return None


def warn_without_bytecode() -> None:
    """The one line synthesis prints when the assets ship without bytecode (on stderr,
    which the CDK CLI shows as it is)."""
    print(NO_BYTECODE_WARNING, file=sys.stderr)


def _candidates() -> Iterator[Interpreter]:
    on_path = shutil.which(f"python{PYTHON_VERSION}")
    if on_path:  # may be a pyenv shim that refuses to run: the probe tells
        yield Interpreter((on_path,), "PATH")
    uv = shutil.which("uv")
    if uv:
        found = _output([uv, "python", "find", "--no-project", PYTHON_VERSION])
        if found:
            yield Interpreter((found,), "uv")
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    for version in sorted((pyenv_root / "versions").glob(f"{PYTHON_VERSION}.*"), reverse=True):
        executable = version / "bin" / f"python{PYTHON_VERSION}"
        if executable.is_file():
            yield Interpreter((str(executable),), "pyenv")
    docker = shutil.which("docker")
    if docker and _output([docker, "info", "--format", "{{.ServerVersion}}"]):
        yield Interpreter((BUILD_IMAGE, f"python{PYTHON_VERSION}"), "docker", docker=True)


def _cache_tag(interpreter: Interpreter) -> str:
    if interpreter.docker:
        argv = ["docker", "run", "--rm", *interpreter.command]
        return _output([*argv, "-c", _PROBE], timeout=_DOCKER_TIMEOUT)
    return _output([*interpreter.command, "-c", _PROBE])


def _output(argv: list[str], timeout: int = _PROBE_TIMEOUT) -> str:
    """``argv``'s stdout, stripped; empty when it cannot run or fails."""
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""
