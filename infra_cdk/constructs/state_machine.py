"""The graph-run state machine: the engine's ASL (``infra_cdk.graph_run_asl``) deployed as-is.

Its name is fixed so its ARN is known before it exists: the graph-run functions need
that ARN (they start continuation and sub-graph runs) while the machine needs theirs.
"""

from __future__ import annotations

import json

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra_cdk.config import PlatformConfig
from infra_cdk.constructs.log_groups import log_group
from infra_cdk.graph_run_asl import definition
from infra_cdk.nag import acknowledge


def state_machine_name(stack: Stack) -> str:
    return f"{stack.stack_name}-graph-run"


def state_machine_arn(stack: Stack) -> str:
    return stack.format_arn(
        service="states",
        resource="stateMachine",
        resource_name=state_machine_name(stack),
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )


def execution_arns(stack: Stack) -> str:
    return stack.format_arn(
        service="states",
        resource="execution",
        resource_name=f"{state_machine_name(stack)}:*",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )


class GraphRunStateMachine(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PlatformConfig,
        plan: lambda_.IFunction,
        run_node: lambda_.IFunction,
        finalize: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        functions = {"PlanFunctionArn": plan, "RunNodeFunctionArn": run_node, "FinalizeFunctionArn": finalize}
        # vended-logs prefix: Step Functions' log delivery needs no per-group resource policy
        logs = log_group(self, "Logs", config, name=f"/aws/vendedlogs/states/{state_machine_name(stack)}")
        self.machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=state_machine_name(stack),
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_string(
                json.dumps(
                    definition(
                        config.map_max_concurrency,
                        run_node_timeout=config.run_node_timeout_seconds,
                        run_timeout=config.graph_run_timeout_seconds,
                    )
                )
            ),
            definition_substitutions={name: fn.function_arn for name, fn in functions.items()},
            logs=sfn.LogOptions(destination=logs, level=sfn.LogLevel.ALL, include_execution_data=False),
            tracing_enabled=config.tracing,
        )
        # Exactly these three functions; not grant_invoke, which adds ``:*`` version wildcards.
        self.machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"], resources=[fn.function_arn for fn in functions.values()]
            )
        )
        acknowledge(
            self.machine,
            "AwsSolutions-IAM5[Resource::*]",
            "CloudWatch Logs delivery (and X-Ray when tracing) APIs support no resource-level permissions.",
        )
        if not config.tracing:
            acknowledge(
                self.machine,
                "AwsSolutions-SF2",
                "X-Ray tracing is opt-in (context tracing=true): it costs per trace at graph-run volume.",
            )
