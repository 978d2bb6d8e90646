"""Running code in an E2B sandbox over E2B's HTTP APIs (what its SDK does underneath).

1. ``POST https://api.e2b.app/sandboxes`` (``X-API-Key``) starts a sandbox from the
   code-interpreter template (or the node's ``template_id``) with the node's lifetime;
2. each setup command runs through the sandbox daemon's ``process.Process/Start``
   (Connect streaming RPC, JSON messages) on port 49983, as ``/bin/bash -l -c <cmd>``;
3. the code runs through the code interpreter's ``POST /execute`` on port 49999, which
   streams one JSON object per line (``stdout``, ``stderr``, ``result``, ``error``);
4. ``DELETE /sandboxes/<id>`` disposes of it (``dispose_sandbox``, and on any error).

Sandbox hosts are ``<port>-<sandboxID>.<domain>``; the sandbox's access token, when E2B
returns one, goes with every request to them.
"""

from __future__ import annotations

import base64
import contextlib
import enum
import json
import struct
from typing import Any

from pydantic import BaseModel, Field, JsonValue

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from agentplatform.blocks.credentials import CredentialsField, CredentialsMetaInput
from agentplatform.blocks.service_http import ServiceClient, ServiceError, mock_credentials
from agentplatform.models.credentials import APIKeyCredentials

API_URL = "https://api.e2b.app"
SANDBOX_DOMAIN = "e2b.app"
DEFAULT_TEMPLATE = "code-interpreter-v1"
JUPYTER_PORT = 49999
ENVD_PORT = 49983
SANDBOX_USER = "user"
REQUEST_MARGIN_SECONDS = 30.0
# Connect protocol envelope: 1 flag byte, 4-byte big-endian length, then the message.
_ENVELOPE = struct.Struct(">BI")
_END_STREAM = 0x02

TEST_CREDENTIALS, TEST_CREDENTIALS_INPUT = mock_credentials("e2b", "Mock E2B API key", input_title="api_key")


class ProgrammingLanguage(enum.Enum):
    PYTHON = "python"
    JAVASCRIPT = "js"
    BASH = "bash"
    R = "r"
    JAVA = "java"


class MainCodeExecutionResult(BaseModel):
    """One display result of a cell (as the E2B SDK's ``Result``): each present format."""

    text: str | None = None
    html: str | None = None
    markdown: str | None = None
    svg: str | None = None
    png: str | None = None
    jpeg: str | None = None
    pdf: str | None = None
    latex: str | None = None
    json_value: JsonValue | None = Field(default=None, alias="json")  # "json" is a BaseModel method
    javascript: str | None = None
    data: dict[str, Any] | None = None
    chart: dict[str, Any] | None = None
    extra: dict[str, Any] | None = None


class CodeExecutionResult(MainCodeExecutionResult):
    is_main_result: bool = False


RESULT_FORMATS = tuple(
    field.alias or name for name, field in MainCodeExecutionResult.model_fields.items() if name != "extra"
)


class ExecuteCodeBlock(Block):
    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput = CredentialsField(
            provider="e2b",
            supported_types=["api_key"],
            description="Enter your API key for the E2B platform. You can get it in here - https://e2b.dev/docs",
        )
        setup_commands: list[str] = SchemaField(
            description=(
                "Shell commands to set up the sandbox before running the code. You can use `curl` or "
                "`git` to install your desired Debian based package manager. `pip` and `npm` are "
                "pre-installed.\n\nThese commands are executed with `sh`, in the foreground."
            ),
            placeholder="pip install cowsay",
            default_factory=list,
            advanced=False,
        )
        code: str = SchemaField(
            description="Code to execute in the sandbox",
            placeholder="print('Hello, World!')",
            default="",
            advanced=False,
        )
        language: ProgrammingLanguage = SchemaField(
            description="Programming language to execute", default=ProgrammingLanguage.PYTHON, advanced=False
        )
        timeout: int = SchemaField(description="Execution timeout in seconds", default=300)
        dispose_sandbox: bool = SchemaField(
            description=(
                "Whether to dispose of the sandbox immediately after execution. "
                "If disabled, the sandbox will run until its timeout expires."
            ),
            default=True,
        )
        template_id: str = SchemaField(
            description=(
                "You can use an E2B sandbox template by entering its ID here. Check out the E2B docs "
                "for more details: [E2B - Sandbox template](https://e2b.dev/docs/sandbox-template)"
            ),
            default="",
            advanced=True,
        )

    class Output(BlockSchemaOutput):
        main_result: MainCodeExecutionResult = SchemaField(
            title="Main Result", description="The main result from the code execution"
        )
        results: list[CodeExecutionResult] = SchemaField(
            description="List of results from the code execution"
        )
        response: str = SchemaField(
            title="Main Text Output", description="Text output (if any) of the main execution result"
        )
        stdout_logs: str = SchemaField(description="Standard output logs from execution")
        stderr_logs: str = SchemaField(description="Standard error logs from execution")
        error: str = SchemaField(description="Error message if execution failed")

    def __init__(self) -> None:
        super().__init__(
            id="0b02b072-abe7-11ef-8372-fb5d162dd712",
            description="Executes code in a sandbox environment with internet access.",
            categories={BlockCategory.DEVELOPER_TOOLS},
            input_schema=ExecuteCodeBlock.Input,
            output_schema=ExecuteCodeBlock.Output,
            test_credentials=TEST_CREDENTIALS,
            test_input={
                "credentials": TEST_CREDENTIALS_INPUT,
                "code": "print('Hello World')",
                "language": ProgrammingLanguage.PYTHON.value,
                "setup_commands": [],
                "timeout": 300,
                "template_id": "",
            },
            test_output=[
                ("results", []),
                ("response", "Hello World"),
                ("stdout_logs", "Hello World\n"),
            ],
            test_mock={
                "execute_code": lambda api_key, code, language, template_id, setup_commands, timeout, dispose_sandbox: (  # noqa: E501
                    [],
                    "Hello World",
                    "Hello World\n",
                    "",
                    "sandbox_id",
                ),
            },
        )

    async def execute_code(
        self,
        api_key: str,
        code: str,
        language: ProgrammingLanguage,
        template_id: str,
        setup_commands: list[str],
        timeout: int,
        dispose_sandbox: bool,
    ) -> tuple[list[dict[str, Any]], str | None, str, str, str]:
        """``(results, main text, stdout, stderr, sandbox id)`` of one run."""
        request_timeout = timeout + REQUEST_MARGIN_SECONDS
        async with ServiceClient(
            "E2B", headers={"X-API-Key": api_key}, secrets=[api_key], timeout=request_timeout
        ) as api:
            sandbox = await api.json(
                "POST",
                f"{API_URL}/sandboxes",
                json={"templateID": template_id or DEFAULT_TEMPLATE, "timeout": timeout, "secure": True},
            )
            sandbox_id = str(sandbox["sandboxID"])
            token = sandbox.get("envdAccessToken")
            host = f"{sandbox_id}.{sandbox.get('domain') or SANDBOX_DOMAIN}"
            headers = {"X-Access-Token": token} if token else {}
            outcome = None
            try:
                async with ServiceClient(
                    "E2B sandbox", headers=headers, secrets=[api_key, token], timeout=request_timeout
                ) as box:
                    for command in setup_commands:
                        await _run_command(box, f"https://{ENVD_PORT}-{host}", command)
                    outcome = await _run_code(box, f"https://{JUPYTER_PORT}-{host}", code, language)
            finally:
                if dispose_sandbox or outcome is None:  # a failed run never keeps its sandbox
                    with contextlib.suppress(ServiceError):  # it expires at its timeout anyway
                        await api.request("DELETE", f"{API_URL}/sandboxes/{sandbox_id}", allow_status=(404,))
        return (*outcome, sandbox_id)

    @staticmethod
    def process_execution_results(
        results: list[dict[str, Any]],
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The main result (without its flag) and every result, as upstream shapes them."""
        main = next((dict(r) for r in results if r.get("is_main_result")), None)
        if main is not None:
            main.pop("is_main_result")
        return main, results

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **kwargs: Any
    ) -> BlockOutput:
        results, text, stdout, stderr, _ = await self.execute_code(
            api_key=credentials.api_key.get_secret_value(),
            code=input_data.code,
            language=input_data.language,
            template_id=input_data.template_id,
            setup_commands=input_data.setup_commands,
            timeout=input_data.timeout,
            dispose_sandbox=input_data.dispose_sandbox,
        )
        main_result, results = self.process_execution_results(results)
        if main_result:
            yield "main_result", main_result
        yield "results", results
        if text:
            yield "response", text
        if stdout:
            yield "stdout_logs", stdout
        if stderr:
            yield "stderr_logs", stderr


async def _run_command(box: ServiceClient, envd_url: str, command: str) -> None:
    """Run one shell command to completion; a non-zero exit fails the block."""
    user = base64.b64encode(f"{SANDBOX_USER}:".encode()).decode()
    start = {"process": {"cmd": "/bin/bash", "args": ["-l", "-c", command], "envs": {}}, "stdin": False}
    response = await box.request(
        "POST",
        f"{envd_url}/process.Process/Start",
        data=_envelope(start),
        headers={"Content-Type": "application/connect+json", "Authorization": f"Basic {user}"},
    )
    stdout, stderr, exit_code = "", "", None
    for flags, message in _envelopes(response.content):
        if flags & _END_STREAM:
            if message.get("error"):
                raise ServiceError(f"E2B sandbox command failed: {message['error'].get('message', '')}")
            continue
        event = message.get("event") or {}
        data = event.get("data") or {}
        stdout += base64.b64decode(data.get("stdout", "")).decode("utf-8", "replace")
        stderr += base64.b64decode(data.get("stderr", "")).decode("utf-8", "replace")
        if "end" in event:
            exit_code = int(event["end"].get("exitCode", 0))
    if exit_code is None:
        raise ServiceError(f"E2B sandbox command ended without an exit status: {command}")
    if exit_code != 0:
        raise ServiceError(f"Command exited with code {exit_code} and error:\n{stderr}")


async def _run_code(
    box: ServiceClient, jupyter_url: str, code: str, language: ProgrammingLanguage
) -> tuple[list[dict[str, Any]], str | None, str, str]:
    """``(results, main text, stdout, stderr)``; an error in the code fails the block."""
    response = await box.request(
        "POST",
        f"{jupyter_url}/execute",
        json={"code": code, "context_id": None, "language": language.value, "env_vars": None},
    )
    results: list[dict[str, Any]] = []
    stdout: list[str] = []
    stderr: list[str] = []
    for line in response.text.splitlines():
        if not line.strip():
            continue
        output = json.loads(line)
        kind = output.get("type")
        if kind == "stdout":
            stdout.append(output["text"])
        elif kind == "stderr":
            stderr.append(output["text"])
        elif kind == "result":
            results.append(_result(output))
        elif kind == "error":
            raise ServiceError(f"{output.get('name')}: {output.get('value')}\n{output.get('traceback', '')}")
    text = next((r.get("text") for r in results if r.get("is_main_result")), None)
    return results, text, "".join(stdout), "".join(stderr)


def _result(output: dict[str, Any]) -> dict[str, Any]:
    """A result with only the formats it has, plus ``extra`` and ``is_main_result``."""
    shaped = {name: output[name] for name in RESULT_FORMATS if output.get(name)}
    if output.get("extra") is not None:
        shaped["extra"] = output["extra"]
    shaped["is_main_result"] = bool(output.get("is_main_result"))
    return shaped


def _envelope(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return _ENVELOPE.pack(0, len(body)) + body


def _envelopes(stream: bytes) -> list[tuple[int, dict[str, Any]]]:
    """The ``(flags, message)`` pairs of a Connect streaming response body."""
    messages = []
    offset = 0
    while offset + _ENVELOPE.size <= len(stream):
        flags, length = _ENVELOPE.unpack_from(stream, offset)
        offset += _ENVELOPE.size
        messages.append((flags, json.loads(stream[offset : offset + length] or b"{}")))
        offset += length
    return messages
