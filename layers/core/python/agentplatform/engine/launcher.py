"""Starting and stopping a run's Step Functions execution.

The execution is named after the run (``<run id>``, then ``<run id>--<part>`` for
each continuation), so starting twice cannot start two executions.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from agentplatform.aws import client
from agentplatform.config import get_settings
from agentplatform.errors import MissingConfigError


def state_machine_arn() -> str:
    arn = get_settings().state_machine_arn
    if not arn:
        raise MissingConfigError("STATE_MACHINE_ARN is not configured")
    return arn


def execution_name(graph_exec_id: str, part: int = 0) -> str:
    return graph_exec_id if part == 0 else f"{graph_exec_id}--{part}"


def start(run: dict[str, Any], part: int = 0, results: list[dict[str, Any]] | None = None) -> None:
    sfn = client("stepfunctions")
    payload = {"run": run, "results": results or []}
    # A retried start finds the execution already under way.
    with contextlib.suppress(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(
            stateMachineArn=state_machine_arn(),
            name=execution_name(run["graph_exec_id"], part),
            input=json.dumps(payload),
        )


def execution_arn(graph_exec_id: str, part: int = 0) -> str:
    prefix = state_machine_arn().replace(":stateMachine:", ":execution:")
    return f"{prefix}:{execution_name(graph_exec_id, part)}"


def stop(graph_exec_id: str, part: int = 0) -> None:
    sfn = client("stepfunctions")
    # Already finished, or never started: nothing to stop.
    with contextlib.suppress(Exception):
        sfn.stop_execution(executionArn=execution_arn(graph_exec_id, part), cause="Stopped by the user")


def describe(graph_exec_id: str, part: int = 0) -> tuple[str | None, str | None]:
    """The execution's status and, if it failed, its error and cause; (None, None) if it
    does not exist."""
    sfn = client("stepfunctions")
    try:
        found = sfn.describe_execution(executionArn=execution_arn(graph_exec_id, part))
    except sfn.exceptions.ExecutionDoesNotExist:
        return None, None
    error, cause = found.get("error"), found.get("cause")
    return str(found["status"]), ": ".join(str(text) for text in (error, cause) if text) or None
