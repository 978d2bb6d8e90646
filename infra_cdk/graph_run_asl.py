"""The graph-run state machine (JSONPath ASL, Standard workflow), as plain data.

No CDK import: the CDK app substitutes the Lambda ARNs through
``DefinitionSubstitutions`` and the local cloud does the same with moto ARNs.

Loop: ``Plan`` decides what runs next -> ``RunNodes`` (Map over batches of node
execution ids, one ``run_node`` Lambda per batch) -> ``Plan`` ... -> ``Finalize``.
``Plan`` also answers ``wait`` (only sub-graph runs are outstanding: poll after a pause)
and ``continued`` (history budget spent: it started a fresh execution, this one ends).
Payloads carry ids only; all state lives in DynamoDB.
"""

from __future__ import annotations

from typing import Any

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


def _iterator(retry_interval: int) -> dict[str, Any]:
    run_batch = _invoke(RUN_NODE, "$")
    run_batch.update(
        {
            "OutputPath": "$.Payload",
            "Retry": [
                *_retry(retry_interval, 6),
                # An unexpected crash of the handler itself (not of a block): one more try.
                {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": retry_interval, "MaxAttempts": 1},
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "FailBatch"}],
            "End": True,
        }
    )
    fail_batch = _invoke(RUN_NODE, "$")
    fail_batch.update({"OutputPath": "$.Payload", "Retry": _retry(retry_interval, 6), "End": True})
    return {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": "RunBatch",
        "States": {"RunBatch": run_batch, "FailBatch": fail_batch},
    }


def definition(max_concurrency: int, *, retry_interval: int = 1, poll_seconds: int = 2) -> dict[str, Any]:
    """The state machine definition with ``${...}`` ARN placeholders.

    ``max_concurrency`` caps parallel ``run_node`` invocations per graph run (Plan never
    makes more batches than this); ``poll_seconds`` is the pause while only sub-graph
    runs are outstanding.
    """
    plan = _invoke(PLAN, "$")
    plan.update(
        {
            "Parameters": {
                "FunctionName": PLAN,
                "Payload": {"run.$": "$.run", "results.$": "$.results", "max_batches": max_concurrency},
            },
            "OutputPath": "$.Payload",
            "Retry": _retry(retry_interval, 6),
            "Next": "Route",
        }
    )
    finalize = _invoke(FINALIZE, {"run.$": "$.run"})
    finalize.update({"OutputPath": "$.Payload", "Retry": _retry(retry_interval, 6), "Next": "Done"})
    return {
        "Comment": "AutoGPT graph run: plan -> run nodes -> plan ... -> finalize",
        "StartAt": "Plan",
        "States": {
            "Plan": plan,
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.action", "StringEquals": "run", "Next": "RunNodes"},
                    {"Variable": "$.action", "StringEquals": "wait", "Next": "Pause"},
                    {"Variable": "$.action", "StringEquals": "continued", "Next": "Done"},
                ],
                "Default": "Finalize",
            },
            "RunNodes": {
                "Type": "Map",
                "ItemsPath": "$.batches",
                "ItemSelector": {"run.$": "$.run", "batch.$": "$$.Map.Item.Value"},
                "MaxConcurrency": max_concurrency,
                "ItemProcessor": _iterator(retry_interval),
                "ResultPath": "$.results",
                "Next": "Plan",
            },
            "Pause": {"Type": "Wait", "Seconds": poll_seconds, "Next": "Plan"},
            "Finalize": finalize,
            "Done": {"Type": "Succeed"},
        },
    }
