"""Step Functions Map iteration: run a batch of node executions (see engine/runner.py).

With ``error`` in the event (the Map's Catch after retries), the batch's unfinished
node executions are failed instead.
"""

import contextlib
import json
from typing import Any

from agentplatform.engine.context import run_ref
from agentplatform.engine.runner import fail_batch, run_batch
from agentplatform.engine.subgraphs import use_child_runs
from agentplatform.observability import lambda_handler, run_keys
from agentplatform.store.executions import ExecutionRepository


def _error_message(error: dict[str, Any]) -> str:
    cause = error.get("Cause") or ""
    with contextlib.suppress(ValueError, AttributeError):
        cause = json.loads(cause).get("errorMessage", cause)
    return f"{error.get('Error', 'Error')}: {cause}" if cause else str(error.get("Error", "Error"))


def _child_runs(repo: ExecutionRepository) -> Any:
    """Sub-graph nodes start their runs through the executions service (loaded on first use)."""
    from agentplatform.executions.service import ExecutionService

    return ExecutionService(repo)


use_child_runs(_child_runs)


@lambda_handler(run_keys)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ref = run_ref(event["run"])
    batch = [str(i) for i in event["batch"]]
    if "error" in event:
        return fail_batch(ref, batch, _error_message(event["error"])).as_payload()
    return run_batch(ref, batch).as_payload()
