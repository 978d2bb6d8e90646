"""The EventBridge Scheduler group for graph schedules, and the role schedules run as.

The schedules API creates one schedule per AutoGPT schedule in this group; each fires
the ``schedules.run`` function (when deployed) asynchronously through this role.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Aws, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from constructs import Construct


class Schedules(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.group_name = f"{stack.stack_name}-schedules"
        self.group = scheduler.ScheduleGroup(
            self, "Group", schedule_group_name=self.group_name, removal_policy=RemovalPolicy.DESTROY
        )
        self.role = iam.Role(
            self,
            "Role",
            description="EventBridge Scheduler: fire graph schedules",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            ),
        )
        self.schedules_arn = stack.format_arn(
            service="scheduler",
            resource="schedule",
            resource_name=f"{self.group_name}/*",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )

    def allow_target(self, function: lambda_.IFunction, dead_letters: sqs.IQueue) -> dict[str, str]:
        """Let schedules invoke ``function`` and park undeliverable firings in ``dead_letters``.

        Returns the environment the schedules API needs to create such schedules.
        """
        self.role.add_to_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn])
        )
        dead_letters.grant_send_messages(self.role)
        return {"SCHEDULE_TARGET_ARN": function.function_arn, "SCHEDULE_DLQ_ARN": dead_letters.queue_arn}
