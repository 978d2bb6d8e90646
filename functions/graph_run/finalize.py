"""Step Functions task: set the run's terminal status, outputs and stats.

With ``error`` in the event (the failure path: a Catch, or a limit plan enforced) the
run ends FAILED with that cause.
"""

from typing import Any

from agentplatform.engine.context import run_ref
from agentplatform.engine.finalizer import finalize
from agentplatform.engine.step_errors import error_message
from agentplatform.observability import lambda_handler, run_keys


@lambda_handler(run_keys)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    error = event.get("error")
    return finalize(run_ref(event["run"]), error=error_message(error) if error else None)
