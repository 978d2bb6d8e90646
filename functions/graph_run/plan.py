"""Step Functions task: decide the next step of a graph run (see engine/planner.py)."""

from typing import Any

from agentplatform.engine.planner import plan
from agentplatform.observability import lambda_handler, run_keys


@lambda_handler(run_keys)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return plan(event)
