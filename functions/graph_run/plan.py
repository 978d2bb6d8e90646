"""Step Functions task: decide the next step of a graph run (see engine/planner.py)."""

from typing import Any

from agentplatform.engine.planner import plan


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return plan(event)
