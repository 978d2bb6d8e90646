"""The graph-run state machine on moto, with its Lambdas dispatched in-process.

What runs here is what the CDK app deploys: every ``AWS::Lambda::Function`` of the
synthesized template becomes a moto function named by its logical id, moto's
``LambdaFunction.invoke`` is patched to call ``functions.<Handler>`` in this process,
and the state machine is created from the template's ``DefinitionString`` with the
ARNs resolved. The template's DynamoDB stream event source mappings come along, for
the local stream reader.

moto keeps executions in memory only, so with a state dir every execution started is
journaled first (``RunJournal``): after a restart, the runs it names that are still in
flight are the ones whose orchestration was lost.

Resolved definitions are cached in ``.local/`` keyed by a hash of ``infra_cdk/``, so
only the first session after an infra change pays for a synth.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import logging
import os
import subprocess
import sys
import threading
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentplatform.aws import client

logger = logging.getLogger("local.stepfunctions")

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROOT = Path(__file__).resolve().parent.parent
INFRA_DIR = ROOT / "infra_cdk"
TEMPLATE = ROOT / "cdk.out" / "AgentPlatform.template.json"
CACHE_DIR = ROOT / ".local" / "sfn-cache"
STATE_MACHINE_NAME = "GraphRun"
_CACHE_FORMAT = 2  # bump when the cached blueprint gains a field
ROLE_NAME = "local-lambda-role"


@dataclass(frozen=True)
class Blueprint:
    """What the local cloud needs from the template: functions, the definition and the
    table stream's event source mappings."""

    functions: dict[str, str]  # logical id -> handler string
    definition: str  # ASL with ``${LogicalId}`` ARN references still unresolved
    # ``AWS::Lambda::EventSourceMapping`` properties reading the table stream, with
    # ``FunctionName`` resolved to the function's logical id.
    stream_mappings: tuple[dict[str, Any], ...] = ()


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def _infra_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(INFRA_DIR.rglob("*.py")) if INFRA_DIR.exists() else []:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _tunables() -> dict[str, int]:
    """Knobs tests and benchmarks turn (moto really sleeps on Wait and Retry). The two
    timeouts (0: as deployed) let fault-injection tests make a step time out quickly."""
    return {
        "max_concurrency": int(os.environ.get("GRAPH_RUN_MAX_CONCURRENCY", "10")),
        "retry_interval": int(os.environ.get("GRAPH_RUN_RETRY_INTERVAL", "1")),
        "poll_seconds": int(os.environ.get("GRAPH_RUN_POLL_SECONDS", "2")),
        "task_timeout": int(os.environ.get("GRAPH_RUN_TASK_TIMEOUT", "0")),
        "run_timeout": int(os.environ.get("GRAPH_RUN_TIMEOUT_SECONDS", "0")),
    }


# ----------------------------------------------------------------- blueprints


def _resolve_intrinsic(value: Any, refs: dict[str, str]) -> str:
    """Enough of CloudFormation's ``Fn::Join``/``Fn::GetAtt``/``Ref`` for a definition."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return sep.join(_resolve_intrinsic(part, refs) for part in parts)
    if "Fn::GetAtt" in value:
        logical = value["Fn::GetAtt"][0]
        return refs.get(logical, function_arn(logical))
    if "Ref" in value:
        return refs.get(value["Ref"], value["Ref"])
    if "Fn::Sub" in value:
        return _resolve_intrinsic(value["Fn::Sub"], refs)
    raise ValueError(f"unsupported intrinsic in state machine definition: {list(value)}")


def blueprint_from_template(template: dict[str, Any]) -> Blueprint:
    resources = template.get("Resources", {})
    functions = {
        logical: str(res["Properties"].get("Handler", ""))
        for logical, res in resources.items()
        if res.get("Type") == "AWS::Lambda::Function"
    }
    machines = [
        res["Properties"]
        for res in resources.values()
        if res.get("Type") == "AWS::StepFunctions::StateMachine"
    ]
    if not machines:
        raise ValueError("template has no state machine")
    props = machines[0]
    refs = {logical: function_arn(logical) for logical in functions}
    text = _resolve_intrinsic(props["DefinitionString"], refs)
    for key, value in (props.get("DefinitionSubstitutions") or {}).items():
        text = text.replace("${" + key + "}", _resolve_intrinsic(value, refs))
    return Blueprint(functions=functions, definition=text, stream_mappings=_stream_mappings(resources))


def _stream_mappings(resources: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    tables = {logical for logical, res in resources.items() if res.get("Type") == "AWS::DynamoDB::Table"}
    mappings = []
    for res in resources.values():
        if res.get("Type") != "AWS::Lambda::EventSourceMapping":
            continue
        props = dict(res["Properties"])
        source = props.get("EventSourceArn", {}).get("Fn::GetAtt", [None, None])
        if source[0] not in tables or source[1] != "StreamArn":
            continue
        props["FunctionName"] = props["FunctionName"]["Ref"]
        props.pop("EventSourceArn")
        props.pop("DestinationConfig", None)  # an SQS queue of the stack; local failures go to a file
        mappings.append(props)
    return tuple(mappings)


def _synthesize() -> dict[str, Any]:
    """Synthesize the CDK app in a subprocess (no bundling). A broken app is an error:
    running anything but the deployed definition locally would hide it."""
    outdir = CACHE_DIR / "cdk.out"
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "CDK_OUTDIR": str(outdir)}
    done = subprocess.run(
        [sys.executable, str(INFRA_DIR / "app.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"synthesizing the CDK app failed:\n{done.stderr[-4000:]}")
    return dict(json.loads((outdir / TEMPLATE.name).read_text()))


def _template_is_fresh() -> bool:
    if not TEMPLATE.exists():
        return False
    newest = max((p.stat().st_mtime for p in INFRA_DIR.rglob("*.py")), default=0.0)
    return TEMPLATE.stat().st_mtime >= newest


def _has_graph_run(template: dict[str, Any]) -> bool:
    return any(
        res.get("Type") == "AWS::StepFunctions::StateMachine"
        for res in template.get("Resources", {}).values()
    )


def load_blueprint() -> Blueprint:
    """The blueprint for the current ``infra_cdk/`` sources, cached on disk.

    A file lock makes parallel test workers wait for one synth instead of racing.
    """
    import fcntl

    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with (CACHE_DIR / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _load_blueprint_locked()


def _load_blueprint_locked() -> Blueprint:
    cache = CACHE_DIR / f"{_infra_hash()}-{_CACHE_FORMAT}.json"
    if cache.exists():
        raw = json.loads(cache.read_text())
        return Blueprint(
            functions=raw["functions"],
            definition=raw["definition"],
            stream_mappings=tuple(raw["stream_mappings"]),
        )
    template = json.loads(TEMPLATE.read_text()) if _template_is_fresh() else _synthesize()
    if not _has_graph_run(template):
        raise RuntimeError("the synthesized template has no graph-run state machine")
    blueprint = blueprint_from_template(template)
    for stale in CACHE_DIR.glob("*.json"):  # definitions of infra sources that are gone
        stale.unlink(missing_ok=True)
    cache.write_text(
        json.dumps(
            {
                "functions": blueprint.functions,
                "definition": blueprint.definition,
                "stream_mappings": list(blueprint.stream_mappings),
            }
        )
    )
    return blueprint


def apply_tunables(definition: str, tunables: dict[str, int] | None = None) -> str:
    """Override concurrency, retry intervals, poll pauses and timeouts for local runs."""
    knobs = tunables or _tunables()
    asl = json.loads(definition)
    if knobs.get("run_timeout"):
        asl["TimeoutSeconds"] = knobs["run_timeout"] * 2

    def visit(states: dict[str, Any]) -> None:
        for state in states.values():
            if state.get("Type") == "Map":
                state["MaxConcurrency"] = knobs["max_concurrency"]
                processor = state.get("ItemProcessor") or state.get("Iterator") or {}
                visit(processor.get("States", {}))
            if state.get("Type") == "Wait" and "Seconds" in state:
                state["Seconds"] = knobs["poll_seconds"]
            for retry in state.get("Retry", []):
                retry["IntervalSeconds"] = knobs["retry_interval"]
            if state.get("Type") == "Task" and knobs.get("task_timeout"):
                state["TimeoutSeconds"] = knobs["task_timeout"]
            payload = state.get("Parameters", {}).get("Payload", {}) if state.get("Type") == "Task" else {}
            if "max_batches" in payload:
                payload["max_batches"] = knobs["max_concurrency"]
            if "timeout_seconds" in payload and knobs.get("run_timeout"):
                payload["timeout_seconds"] = knobs["run_timeout"]

    visit(asl["States"])
    return json.dumps(asl)


# ---------------------------------------------------------------- moto wiring

_handlers: dict[str, str] = {}  # function name -> handler string
# Invocations per function since start; benchmarks read it.
invocation_counts: Counter[str] = Counter()
_patched = False


# Like an account's Lambda concurrency limit: one process cannot usefully run hundreds of
# invocations at once, and past a few they only queue up in the table engine ahead of
# the stream reader's requests, delaying every live event.
_concurrency = threading.BoundedSemaphore(int(os.environ.get("LOCAL_LAMBDA_CONCURRENCY", "4")))


def _dispatch(function_name: str, event: Any) -> Any:
    from local.lambdas import invoke

    invocation_counts[function_name] += 1
    module_path, _, attr = _handlers[function_name].rpartition(".")
    handler = getattr(importlib.import_module(f"functions.{module_path}"), attr)
    with _concurrency:
        return invoke(handler, event, function_name=function_name)


def _patch_lambda_invoke() -> None:
    global _patched
    if _patched:
        return
    from moto.awslambda.models import LambdaFunction

    original = LambdaFunction.invoke

    def invoke(self: Any, body: Any, request_headers: Any, response_headers: Any) -> Any:
        if self.function_name not in _handlers:
            return original(self, body, request_headers, response_headers)
        event = json.loads(body) if body else {}
        try:
            return json.dumps(_dispatch(self.function_name, event)).encode()
        except Exception as exc:  # surfaces in Step Functions as a Lambda error (Retry/Catch)
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps({"errorType": type(exc).__name__, "errorMessage": str(exc)}).encode()

    LambdaFunction.invoke = invoke  # type: ignore[method-assign]
    _patch_simple_backend()
    _patched = True


def _patch_simple_backend() -> None:
    """With ``lambda.use_docker`` off, moto answers through its "simple" backend, which
    echoes the payload; send our functions' invocations to their handlers instead."""
    from moto.awslambda_simple.models import LambdaSimpleBackend

    original = LambdaSimpleBackend.invoke

    def invoke(
        self: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any
    ) -> Any:
        name = function_name.split(":function:")[-1].split(":")[0]
        if name not in _handlers:
            return original(self, function_name, qualifier, body, headers, response_headers)
        event = json.loads(body) if body else {}
        try:
            return json.dumps(_dispatch(name, event)).encode()
        except Exception as exc:
            logger.warning("Lambda %s failed", name, exc_info=True)
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps({"errorType": type(exc).__name__, "errorMessage": str(exc)}).encode()

    LambdaSimpleBackend.invoke = invoke  # type: ignore[method-assign]


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def _role_arn() -> str:
    iam = client("iam")
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    try:
        return str(iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=policy)["Role"]["Arn"])
    except iam.exceptions.EntityAlreadyExistsException:
        return str(iam.get_role(RoleName=ROLE_NAME)["Role"]["Arn"])


def provision_graph_run(blueprint: Blueprint | None = None) -> str:
    """Create the functions and the state machine in moto; returns the machine's ARN.

    Also exports it as ``STATE_MACHINE_ARN`` for the executions API.
    """
    blueprint = blueprint or load_blueprint()
    _patch_lambda_invoke()
    _patch_start_execution()
    lam, role, code = client("lambda"), _role_arn(), _zip()
    for name, handler in blueprint.functions.items():
        _handlers[name] = handler
        lam.create_function(
            FunctionName=name, Runtime="python3.12", Role=role, Handler=handler, Code={"ZipFile": code}
        )
    sfn = client("stepfunctions")
    arn = str(
        sfn.create_state_machine(
            name=STATE_MACHINE_NAME,
            definition=apply_tunables(blueprint.definition),
            roleArn=role.replace(ROLE_NAME, "local-sfn-role"),
            type="STANDARD",
        )["stateMachineArn"]
    )
    os.environ["STATE_MACHINE_ARN"] = arn
    return arn


# ------------------------------------------------------------- run journal


class RunJournal:
    """The runs whose executions were started, one JSON line each, fsynced before the
    start is acknowledged."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def record(self, execution_input: str) -> None:
        run = json.loads(execution_input or "{}").get("run") or {}
        if "user_id" not in run or "graph_exec_id" not in run:
            return
        line = json.dumps({"user_id": run["user_id"], "graph_exec_id": run["graph_exec_id"]}) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())

    def runs(self) -> list[tuple[str, str]]:
        """(user id, run id) of every journaled run, once each, oldest first."""
        if not self.path.exists():
            return []
        seen: dict[tuple[str, str], None] = {}
        for line in self.path.read_text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:  # a line torn by a crash mid-write was never acknowledged
                continue
            seen[(str(entry["user_id"]), str(entry["graph_exec_id"]))] = None
        return list(seen)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


_journal: RunJournal | None = None
_start_patched = False


def journal_runs(journal: RunJournal | None) -> None:
    """Journal every execution started from now on (None: stop journaling)."""
    global _journal
    _journal = journal


def _patch_start_execution() -> None:
    global _start_patched
    if _start_patched:
        return
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original = StepFunctionsParserBackend.start_execution

    def start_execution(
        self: Any, state_machine_arn: str, name: Any = None, execution_input: Any = None, **kw: Any
    ) -> Any:
        if _journal is not None:
            _journal.record(execution_input or "{}")
        return original(self, state_machine_arn, name, execution_input, **kw)

    StepFunctionsParserBackend.start_execution = start_execution  # type: ignore[method-assign,assignment]
    _start_patched = True
