"""The run reconciler's schedule: an EventBridge rule invokes its function every few minutes.

The function (``graph_run.reconcile``) ends runs whose state machine execution is gone
and hands free run slots on; a missed or failed invocation is simply the next one.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct


class RunReconciler(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, function: lambda_.IFunction, interval_minutes: int
    ) -> None:
        super().__init__(scope, construct_id)
        self.rule = events.Rule(
            self,
            "Schedule",
            description="Ends graph runs whose state machine execution is gone",
            schedule=events.Schedule.rate(Duration.minutes(interval_minutes)),
        )
        # No retries: the next scheduled run does the same work.
        self.rule.add_target(targets.LambdaFunction(function, retry_attempts=0))
