"""Step Functions task: set the run's terminal status, outputs and stats."""

from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from agentplatform.engine.context import run_ref
    from agentplatform.engine.finalizer import finalize

    return finalize(run_ref(event["run"]))
