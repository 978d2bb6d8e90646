"""Step Functions Map iteration: run a batch of node executions (see engine/runner.py).

With ``error`` in the event (the Map's Catch after retries), the batch's unfinished
node executions are failed instead.
"""

from typing import Any

from agentplatform.engine.context import run_ref
from agentplatform.engine.runner import fail_batch, run_batch
from agentplatform.engine.step_errors import error_message
from agentplatform.engine.subgraphs import use_child_runs
from agentplatform.observability import lambda_handler, run_keys
from agentplatform.store.executions import ExecutionRepository


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
        return fail_batch(ref, batch, error_message(event["error"])).as_payload()
    run = event["run"]
    spare = run.get("spare")  # runs this batch may chain beyond its own ids
    max_runs = None if spare is None else len(batch) + int(spare)
    return run_batch(ref, batch, max_runs=max_runs, run_deadline=run.get("deadline")).as_payload()
