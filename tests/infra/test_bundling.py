"""Local bundling: cache keys, the assets' layout and their bytecode (no pip, no synthesis)."""

from __future__ import annotations

import importlib.util
import marshal
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra_cdk import bundling, bytecode
from infra_cdk.config import FUNCTIONS_DIR, LAYER_DIR

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


# Bytecode: a CPython of the runtime's version is looked for, checked, and used.


@pytest.fixture
def no_interpreters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty PATH directory and pyenv root: nothing is found until a test adds it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    bytecode.find_interpreter.cache_clear()
    yield bin_dir
    bytecode.find_interpreter.cache_clear()


def _script(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def test_no_interpreter_anywhere_means_no_bytecode(no_interpreters: Path) -> None:
    assert bytecode.find_interpreter() is None


def test_python312_on_path_is_used_once_its_cache_tag_checks_out(no_interpreters: Path) -> None:
    fake = _script(no_interpreters / "python3.12", "echo cpython-312")
    assert bytecode.find_interpreter() == bytecode.Interpreter((str(fake),), "PATH")


def test_a_refusing_shim_or_another_version_is_passed_over_for_pyenv(
    no_interpreters: Path, tmp_path: Path
) -> None:
    _script(no_interpreters / "python3.12", "echo 'pyenv: python3.12: command not found' >&2; exit 127")
    _script(tmp_path / "pyenv" / "versions" / "3.11.7" / "bin" / "python3.12", "echo cpython-311")
    pyenv_312 = _script(tmp_path / "pyenv" / "versions" / "3.12.1" / "bin" / "python3.12", "echo cpython-312")
    assert bytecode.find_interpreter() == bytecode.Interpreter((str(pyenv_312),), "pyenv")


def test_uv_finds_a_managed_python(no_interpreters: Path, tmp_path: Path) -> None:
    managed = _script(tmp_path / "uv-python" / "bin" / "python3.12", "echo cpython-312")
    _script(no_interpreters / "uv", f'[ "$1 $2" = "python find" ] && echo {managed}')
    assert bytecode.find_interpreter() == bytecode.Interpreter((str(managed),), "uv")


def test_the_runtime_build_image_where_a_docker_engine_answers(no_interpreters: Path, tmp_path: Path) -> None:
    calls = tmp_path / "docker-calls"
    _script(
        no_interpreters / "docker",
        f'echo "$@" >> {calls}\ncase "$1" in info) echo 28.2.2;; run) echo cpython-312;; esac',
    )
    interpreter = bytecode.find_interpreter()
    assert interpreter is not None and interpreter.found_by == "docker"
    assert (
        calls.read_text().splitlines()[-1]
        == f"run --rm {bytecode.BUILD_IMAGE} python3.12 -c {bytecode._PROBE}"
    )
    tree = tmp_path / "tree"
    assert interpreter.run_args(tree)[:6] == [
        "docker",
        "run",
        "--rm",
        "--user",
        f"{os.getuid()}:{os.getgid()}",
        "-v",
    ]
    assert interpreter.run_args(tree)[6:] == [f"{tree}:{tree}", bytecode.BUILD_IMAGE, "python3.12"]


def test_a_docker_client_without_an_engine_is_not_used(no_interpreters: Path) -> None:
    _script(no_interpreters / "docker", 'echo "Cannot connect to the Docker daemon" >&2; exit 1')
    assert bytecode.find_interpreter() is None


def test_synthesis_without_an_interpreter_warns_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    bytecode.warn_without_bytecode()
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("WARNING: no CPython 3.12 found")
    assert captured.err.count("\n") == 1


# This interpreter stands in for 3.12: the layout and the .pyc headers are what is checked.
LOCAL = bytecode.Interpreter((sys.executable,), "test")
TAG = sys.implementation.cache_tag


def _pyc(source: Path) -> Path:
    return source.parent / "__pycache__" / f"{source.stem}.{TAG}.pyc"


def _unchecked_hash_code_path(pyc: Path) -> str:
    """The source path a .pyc records, after checking it is an unchecked-hash .pyc of this Python."""
    data = pyc.read_bytes()
    assert data[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(data[4:8], "little") == 0b01  # hash-based, source never checked
    return str(marshal.loads(data[16:]).co_filename)


def test_hashes_change_with_the_bytecode_tag(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    assert bundling.layer_hash(tmp_path, REQUIREMENTS) != bundling.layer_hash(
        tmp_path, REQUIREMENTS, "cpython-312"
    )
    assert bundling.functions_hash(tmp_path, "") != bundling.functions_hash(tmp_path, "cpython-312")


def test_bundled_layer_carries_bytecode_recorded_at_opt_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENTPLATFORM_BUILD_CACHE", str(tmp_path / "cache"))
    cached = bundling.cache_root() / bundling.dependencies_hash(REQUIREMENTS)
    (cached / "pydantic").mkdir(parents=True)
    (cached / "pydantic" / "__init__.py").write_text("VERSION = '2.14.3'\n")
    output = tmp_path / "out"
    output.mkdir()
    package = LAYER_DIR / "python" / bundling.PACKAGE

    assert bundling.LayerBundler(package, REQUIREMENTS, LOCAL).try_bundle(str(output)) is True

    python = output / "python"
    assert (
        _unchecked_hash_code_path(_pyc(python / "pydantic" / "__init__.py"))
        == "/opt/python/pydantic/__init__.py"
    )
    app = python / "agentplatform" / "api" / "app.py"
    assert _unchecked_hash_code_path(_pyc(app)) == "/opt/python/agentplatform/api/app.py"
    sources = list(python.rglob("*.py"))
    assert [p for p in sources if not _pyc(p).is_file()] == []
    # the plain tree stays source-only; the compiled one is cached beside it
    assert not list(cached.rglob("*.pyc"))
    assert (cached.parent / f"{cached.name}-{bytecode.CACHE_TAG}" / "pydantic" / "__pycache__").is_dir()


def test_compiled_dependencies_are_built_once(tmp_path: Path) -> None:
    (tmp_path / bundling.dependencies_hash(REQUIREMENTS) / "six.py").parent.mkdir(parents=True)
    (tmp_path / bundling.dependencies_hash(REQUIREMENTS) / "six.py").write_text("X = 1\n")
    first = bundling.compiled_dependencies(REQUIREMENTS, LOCAL, root=tmp_path)
    broken = bytecode.Interpreter(("/nonexistent/python3.12",), "test")
    assert bundling.compiled_dependencies(REQUIREMENTS, broken, root=tmp_path) == first
    assert _pyc(first / "six.py").is_file()


def test_bundled_functions_carry_bytecode_recorded_at_var_task(tmp_path: Path) -> None:
    assert bundling.FunctionsBundler(FUNCTIONS_DIR, LOCAL).try_bundle(str(tmp_path)) is True

    assert _unchecked_hash_code_path(_pyc(tmp_path / "rest" / "graphs.py")) == "/var/task/rest/graphs.py"
    assert [p for p in tmp_path.rglob("*.py") if not _pyc(p).is_file()] == []
