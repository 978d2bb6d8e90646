"""``agentplatform`` against a real ``agentplatform dev``: run an agent export, inspect runs.

The server signs tokens with its own state dir's secret (no ``JWT_VERIFY_KEY``), and
the CLI mints one from ``LOCAL_STATE_DIR``, as a user's shell would. The agent is the
public "AI Function" export; its OpenAI calls go to a loopback stub that accepts one
API key and refuses any other, so one stored credential succeeds and one fails.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import DevServer
from tests.support.llm_stub import LLMStub

pytestmark = pytest.mark.e2e

AGENT = Path("/work/shared/reference/autogpt-agents/agent_516d813b-d1bc-470f-add7-c63a4b2c2bad.json")
GOOD_KEY, BAD_KEY = "sk-good-key-for-the-stub", "sk-revoked-key"


@pytest.fixture(scope="module")
def stub() -> Iterator[LLMStub]:
    stub = LLMStub()
    stub.expected_key = GOOD_KEY
    yield stub
    stub.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, stub: LLMStub) -> Iterator[DevServer]:
    env: dict[str, str | None] = {
        "JWT_VERIFY_KEY": None,  # the state dir's own secret, as with make dev
        "OUTBOUND_HOST_OVERRIDES": f"api.openai.com={stub.url}",
        "OPENAI_API_KEY": None,
    }
    dev = DevServer(tmp_path_factory.mktemp("cli-cloud"), env=env)
    dev.start()
    try:
        yield dev
    finally:
        dev.stop()


@pytest.fixture(scope="module")
def cli_env(server: DevServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("JWT_VERIFY_KEY", "AGENTPLATFORM_TOKEN")}
    cache = tmp_path_factory.mktemp("cli-cache")
    env.update(
        LOCAL_STATE_DIR=str(server.state_dir),
        AGENTPLATFORM_URL=server.base_url,
        AGENTPLATFORM_CACHE_DIR=str(cache),
    )
    return env


@pytest.fixture(scope="module")
def cli(cli_env: dict[str, str]):
    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cli.main", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=cli_env,
            timeout=180,
        )

    return run


@pytest.fixture(scope="module")
def credentials(cli) -> dict[str, str]:
    missing = cli("run", str(AGENT))
    assert missing.returncode == 1
    assert missing.stdout.startswith("imported 'AI Function': graph ")
    assert (
        "openai_api_key_credentials: the agent needs a credential for openai: add one with "
        "`agentplatform credentials add openai`" in missing.stderr
    )
    ids = {}
    for name, key in (("good", GOOD_KEY), ("bad", BAD_KEY)):
        added = cli("credentials", "add", "openai", "--title", name, stdin=key + "\n")
        assert added.returncode == 0, added.stderr
        ids[name] = added.stdout.strip()
        assert f"stored openai credential {ids[name]} ({name})" in added.stderr
        assert key not in added.stdout + added.stderr
    return ids


def _run_id(output: str) -> str:
    line = next(line for line in output.splitlines() if line.startswith("Run "))
    return line.split()[1]


@pytest.fixture(scope="module")
def good_run(cli, credentials, stub) -> tuple[subprocess.CompletedProcess[str], str]:
    """A run with the good key, and the prompt the stub got (tests may run in any order)."""
    stub.queue()  # the stub answers "Hello from the stub" to a good key
    done = cli("run", str(AGENT), "--input", "Arguments=3", "--credentials", f"openai={credentials['good']}")
    return done, stub.requests[-1].body["messages"][-1]["content"]


@pytest.fixture(scope="module")
def bad_run(cli, credentials) -> subprocess.CompletedProcess[str]:
    return cli("run", str(AGENT), "--credentials", f"openai={credentials['bad']}")


def test_run_shows_progress_and_outputs_and_exits_zero(good_run, server):
    done, prompt = good_run

    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert out.startswith("reusing 'AI Function': graph ")  # imported by the first attempt
    assert "  COMPLETED  AITextGeneratorBlock (" in out
    assert '  COMPLETED  AgentShortTextInputBlock "Arguments" (' in out
    run_id = _run_id(out)
    assert f"run {run_id} COMPLETED" in out
    assert out.rstrip().endswith("Outputs\n  return: Hello from the stub")
    assert prompt == "3"  # --input reached the agent
    log = server.log.read_text()
    assert "INFO    POST /api/graphs 200 " in log
    assert f"INFO    run {run_id} COMPLETED in " in log


def test_a_failing_node_fails_the_command_and_names_the_error(cli, bad_run, server):
    failed = bad_run

    assert failed.returncode == 1, failed.stdout + failed.stderr
    out = failed.stdout
    assert out.startswith("reusing 'AI Function': graph ")  # same file, same graph
    assert "  FAILED     AITextGeneratorBlock (" in out
    run_id = _run_id(out)
    failure = next(line for line in out.splitlines() if line.startswith("Failed: AITextGeneratorBlock ("))
    assert "Incorrect API key" in failure
    assert BAD_KEY not in out  # the provider echoed it; the platform does not
    log = server.log.read_text()
    node_line = next(line for line in log.splitlines() if " FAILED: " in line and f"run={run_id}" in line)
    assert "WARNING node " in node_line and "block=AITextGeneratorBlock" in node_line

    shown = cli("run", "show", run_id)
    assert shown.returncode == 1
    assert "agent   AI Function (graph " in shown.stdout
    assert "Failed: AITextGeneratorBlock (" in shown.stdout

    logs = cli("logs", run_id)
    assert logs.returncode == 0
    assert "[FAILED] AITextGeneratorBlock (" in logs.stdout
    assert "  error  error: " in logs.stdout
    assert "  input  prompt_values: " in logs.stdout


def test_runs_lists_both_runs_newest_first(cli, good_run, bad_run):
    listed = cli("runs", "--json")
    assert listed.returncode == 0
    runs: list[dict[str, Any]] = json.loads(listed.stdout)
    started = [run["started_at"] for run in runs]
    assert started == sorted(started, reverse=True)
    statuses = {run["id"]: run["status"] for run in runs}
    good_id, bad_id = _run_id(good_run[0].stdout), _run_id(bad_run.stdout)
    assert (statuses[good_id], statuses[bad_id]) == ("COMPLETED", "COMPLETED")  # node failures too
    table = cli("runs")
    assert "AI Function" in table.stdout


def test_choosing_between_credentials_is_asked_for(cli, credentials):
    ambiguous = cli("run", str(AGENT))
    assert ambiguous.returncode == 1
    assert "2 stored openai credentials fit; choose one with --credentials openai=ID" in ambiguous.stderr


def test_a_wrong_input_name_and_a_foreign_token_are_explained(cli, credentials):
    wrong = cli("run", str(AGENT), "--input", "Argumnts=3", "--credentials", f"openai={credentials['good']}")
    assert wrong.returncode == 1
    assert (
        "'Argumnts': the agent has no such input (its inputs: Arguments, Description, Function Definition)"
        in (wrong.stderr)
    )
    refused = cli("runs", "--token", "not-a-token")
    assert refused.returncode == 1
    assert "the token was refused" in refused.stderr


def _run_on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as stdin/stdout/stderr; (exit code, what it drew)."""
    import pty
    import select

    main_fd, terminal_fd = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", *args],
        stdin=terminal_fd,
        stdout=terminal_fd,
        stderr=terminal_fd,
        env={**env, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"},
        close_fds=True,
    )
    os.close(terminal_fd)
    drawn = bytearray()
    while True:
        ready, _, _ = select.select([main_fd], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # the terminal closed: the process has exited
                break
            if not chunk:
                break
            drawn.extend(chunk)
        elif process.poll() is not None:
            break
    os.close(main_fd)
    return process.wait(timeout=60), drawn.decode("utf-8", "replace")


def test_on_a_terminal_the_progress_table_redraws_in_place(cli_env, credentials):
    code, drawn = _run_on_a_terminal(
        ["run", str(AGENT), "--credentials", f"openai={credentials['good']}"], cli_env
    )

    assert code == 0, drawn
    assert "\x1b[?25l" in drawn  # the live display hides the cursor while it redraws
    assert "\x1b[2K" in drawn and "\x1b[1A" in drawn  # ... and rewrites its lines in place
    assert drawn.count("AITextGeneratorBlock (") >= 2  # the node's row, drawn more than once
    assert "\x1b[32mCOMPLETED" in drawn  # statuses in colour
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn)
    assert "return: Hello from the stub" in plain
    assert re.search(r"run \S+ COMPLETED  5/5 nodes", plain)
