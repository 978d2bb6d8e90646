"""Step Functions task: decide the next step of a graph run (see engine/planner.py)."""

from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from agentplatform.engine.planner import plan

    return plan(event)
