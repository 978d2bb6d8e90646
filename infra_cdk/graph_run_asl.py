"""The graph-run state machine (JSONPath ASL, Standard workflow), as plain data.

No CDK import: the CDK app substitutes the Lambda ARNs through
``DefinitionSubstitutions`` and the local cloud does the same with moto ARNs.

Loop: ``Plan`` decides what runs next -> ``RunNodes`` (Map over batches of node
execution ids, one ``run_node`` Lambda per batch) -> ``Plan`` ... -> ``Finalize``.
``Plan`` also answers ``wait`` (only sub-graph runs are outstanding: poll after a pause),
``continued`` (history budget spent: it started a fresh execution, this one ends) and
``fail`` (a run limit reached). Payloads carry ids only; all state lives in DynamoDB.

Every run ends: each state that can fail (every Task and the Map) has a timeout and a
Catch leading to ``FailRun``, which ends the run FAILED with the cause (the finalize
function, given the error) and then fails the execution. Should even that fail, the
execution ends FAILED and the scheduled reconciler ends the run. The whole execution
has a timeout too, a backstop behind plan's own run deadline.
"""

from __future__ import annotations

from typing import Any

from infra_cdk.catalog import GRAPH_RUN_STEP_TIMEOUT

PLAN = "${PlanFunctionArn}"
RUN_NODE = "${RunNodeFunctionArn}"
FINALIZE = "${FinalizeFunctionArn}"
PLACEHOLDERS = ("PlanFunctionArn", "RunNodeFunctionArn", "FinalizeFunctionArn")

# Transient Lambda-side failures worth retrying with backoff (never block errors:
# run_node turns those into a FAILED node itself).
LAMBDA_SERVICE_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "Lambda.ClientExecutionTimeoutException",
]


def _invoke(function_arn: str, payload: dict[str, Any] | str) -> dict[str, Any]:
    params: dict[str, Any] = {"FunctionName": function_arn}
    if isinstance(payload, str):
        params["Payload.$"] = payload
    else:
        params["Payload"] = payload
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": params,
    }


def _retry(interval: int, attempts: int) -> list[dict[str, Any]]:
    return [
        {
            "ErrorEquals": LAMBDA_SERVICE_ERRORS,
            "IntervalSeconds": interval,
            "MaxAttempts": attempts,
            "BackoffRate": 2.0,
            "JitterStrategy": "FULL",
        }
    ]


# A Task may run this much longer than its Lambda's own timeout before Step Functions
# gives up on it (only a hung integration ever gets there).
TASK_TIMEOUT_MARGIN = 30
# Behind plan's run deadline: the execution itself is cut off this much later.
EXECUTION_TIMEOUT_MARGIN = 900
DEFAULT_RUN_TIMEOUT_SECONDS = 24 * 3600


def _catch(next_state: str) -> list[dict[str, Any]]:
    return [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": next_state}]


def _retry_once_on_crash(interval: int) -> dict[str, Any]:
    """An unexpected crash or timeout of the handler itself (not of a block): one more try."""
    return {
        "ErrorEquals": ["States.TaskFailed", "States.Timeout"],
        "IntervalSeconds": interval,
        "MaxAttempts": 1,
    }


def _iterator(retry_interval: int, run_node_timeout: int) -> dict[str, Any]:
    run_batch = _invoke(RUN_NODE, "$")
    run_batch.update(
        {
            "OutputPath": "$.Payload",
            "TimeoutSeconds": run_node_timeout + TASK_TIMEOUT_MARGIN,
            "Retry": [*_retry(retry_interval, 6), _retry_once_on_crash(retry_interval)],
            "Catch": _catch("FailBatch"),
            "End": True,
        }
    )
    fail_batch = _invoke(RUN_NODE, "$")
    fail_batch.update(
        {
            "OutputPath": "$.Payload",
            "TimeoutSeconds": GRAPH_RUN_STEP_TIMEOUT + TASK_TIMEOUT_MARGIN,
            "Retry": _retry(retry_interval, 6),
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "BatchLost"}],
            "End": True,
        }
    )
    # Not even failing the batch worked: plan ends the run FAILED (re-running the batch
    # blindly could loop for ever), and finalize terminates what the batch left behind.
    lost = {"Type": "Pass", "Result": {"queued": [], "waiting": [], "lost": True, "ran": 0}, "End": True}
    return {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": "RunBatch",
        "States": {"RunBatch": run_batch, "FailBatch": fail_batch, "BatchLost": lost},
    }


def definition(
    max_concurrency: int,
    *,
    retry_interval: int = 1,
    poll_seconds: int = 2,
    run_node_timeout: int = 300,
    run_timeout: int = DEFAULT_RUN_TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """The state machine definition with ``${...}`` ARN placeholders.

    ``max_concurrency`` caps parallel ``run_node`` invocations per graph run (Plan never
    makes more batches than this); ``poll_seconds`` is the pause while only sub-graph
    runs are outstanding; ``run_node_timeout`` is that function's timeout; after
    ``run_timeout`` seconds plan ends the run FAILED.
    """
    task_timeout = GRAPH_RUN_STEP_TIMEOUT + TASK_TIMEOUT_MARGIN
    plan = _invoke(PLAN, "$")
    plan.update(
        {
            "Parameters": {
                "FunctionName": PLAN,
                "Payload": {
                    "run.$": "$.run",
                    "results.$": "$.results",
                    "max_batches": max_concurrency,
                    "timeout_seconds": run_timeout,
                },
            },
            "OutputPath": "$.Payload",
            "TimeoutSeconds": task_timeout,
            "Retry": [*_retry(retry_interval, 6), _retry_once_on_crash(retry_interval)],
            "Catch": _catch("FailRun"),
            "Next": "Route",
        }
    )
    finalize = _invoke(FINALIZE, {"run.$": "$.run"})
    finalize.update(
        {
            "OutputPath": "$.Payload",
            "TimeoutSeconds": task_timeout,
            "Retry": [*_retry(retry_interval, 6), _retry_once_on_crash(retry_interval)],
            "Catch": _catch("FailRun"),
            "Next": "Done",
        }
    )
    fail_run = _invoke(FINALIZE, {"run.$": "$.run", "error.$": "$.error"})
    fail_run.update(
        {
            "OutputPath": "$.Payload",
            "TimeoutSeconds": task_timeout,
            "Retry": [*_retry(retry_interval, 6), _retry_once_on_crash(retry_interval)],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "RunFailed"}],
            "Next": "RunFailed",
        }
    )
    return {
        "Comment": "AutoGPT graph run: plan -> run nodes -> plan ... -> finalize",
        "TimeoutSeconds": run_timeout + EXECUTION_TIMEOUT_MARGIN,
        "StartAt": "Plan",
        "States": {
            "Plan": plan,
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.action", "StringEquals": "run", "Next": "RunNodes"},
                    {"Variable": "$.action", "StringEquals": "wait", "Next": "Pause"},
                    {"Variable": "$.action", "StringEquals": "continued", "Next": "Done"},
                    {"Variable": "$.action", "StringEquals": "fail", "Next": "FailRun"},
                ],
                "Default": "Finalize",
            },
            "RunNodes": {
                "Type": "Map",
                "ItemsPath": "$.batches",
                "ItemSelector": {"run.$": "$.run", "batch.$": "$$.Map.Item.Value"},
                "MaxConcurrency": max_concurrency,
                "ItemProcessor": _iterator(retry_interval, run_node_timeout),
                "ResultPath": "$.results",
                "Catch": _catch("FailRun"),
                "Next": "Plan",
            },
            "Pause": {"Type": "Wait", "Seconds": poll_seconds, "Next": "Plan"},
            "Finalize": finalize,
            "FailRun": fail_run,
            "RunFailed": {
                "Type": "Fail",
                "Error": "GraphRunFailed",
                "Cause": "The graph run ended FAILED; its stats.error says why.",
            },
            "Done": {"Type": "Succeed"},
        },
    }
