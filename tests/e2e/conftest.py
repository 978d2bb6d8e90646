"""The local cloud as a real process, driven over HTTP like any client would.

``agentplatform dev`` keeps its table in DynamoDB Local (a Java child process): these
tests run against the engine ``make dev`` uses, and are skipped only where no Java 17+
runtime exists, unless ``REQUIRE_DYNAMODB_LOCAL`` is set (``.ci/run`` sets it: CI checks
the engine ``make dev`` runs, never silently the fallback).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

E2E_SECRET = "e2e-secret-key-that-is-long-enough-for-hs256-abcdef"
_STARTUP_TIMEOUT_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DevServer:
    """``agentplatform dev`` in a subprocess, restartable on the same state dir."""

    def __init__(self, state_dir: Path, env: dict[str, str | None] | None = None):
        self.state_dir = state_dir
        self.env = env or {}  # overrides; None removes a variable
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = state_dir / "server.log"

    def start(self) -> None:
        env = {
            **os.environ,
            "JWT_VERIFY_KEY": E2E_SECRET,
            "LOCAL_STATE_DIR": str(self.state_dir),
            "ENABLE_AUTH": "true",
        }
        env.pop("TABLE_NAME", None)
        env.pop("BUCKET_NAME", None)
        for name, value in self.env.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "local.cli", "dev", "--port", str(self.port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + _STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dev server exited early:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError(f"dev server did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()  # SIGTERM: a graceful shutdown
            self.process.wait(timeout=90)
            self.process = None

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs at all, as in a crash or an OOM kill."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=30)
            self.process = None

    def engine_pid(self) -> int:
        """The pid of the DynamoDB Local child serving this state dir."""
        return int((self.state_dir / "dynamodb" / "dynamodb-local.pid").read_text())


@pytest.fixture(scope="module", autouse=True)
def _needs_java() -> None:
    from local.dynamodb_local import Unavailable, find_runtime

    try:
        find_runtime()
    except Unavailable as exc:
        if "Java" in str(exc) and not os.environ.get("REQUIRE_DYNAMODB_LOCAL"):
            pytest.skip(str(exc))
        raise  # Java but no DynamoDB Local: `make install` is broken, not this machine


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    server = DevServer(tmp_path_factory.mktemp("local-cloud"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def token() -> str:
    from local.tokens import mint

    return mint(E2E_SECRET)
