"""Step Functions task: set the run's terminal status, outputs and stats."""

from typing import Any

from agentplatform.engine.context import run_ref
from agentplatform.engine.finalizer import finalize
from agentplatform.observability import lambda_handler, run_keys


@lambda_handler(run_keys)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return finalize(run_ref(event["run"]))
