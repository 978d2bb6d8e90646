"""Alarms on what needs a human (API 5xx, Lambda errors/throttles, failed runs, dead letters)
and one dashboard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra_cdk.config import PlatformConfig
from infra_cdk.nag import acknowledge

PERIOD = Duration.minutes(5)


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PlatformConfig,
        rest_api: apigw.RestApiBase,
        functions: Mapping[str, lambda_.Function],
        state_machine: sfn.StateMachine,
        dead_letter_queues: Mapping[str, sqs.IQueue],
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "Alarms", display_name="Agent platform alarms", enforce_ssl=True)
        acknowledge(
            self.topic,
            "AwsSolutions-SNS2",
            "Alarm notifications carry no user data; CloudWatch cannot publish to a topic under the "
            "AWS-managed SNS key, and a dedicated CMK would cost more than the alarms.",
        )
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self._action = actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []

        api_5xx = rest_api.metric_server_error(period=PERIOD, statistic="Sum")
        self._alarm("RestApi5xx", api_5xx, config.alarm_api_5xx_threshold, "REST API answered 5xx")
        for key, function in sorted(functions.items()):
            name = key.replace(".", "-")
            self._alarm(f"{name}-Errors", function.metric_errors(period=PERIOD), 1, f"{key} raised errors")
            self._alarm(
                f"{name}-Throttles", function.metric_throttles(period=PERIOD), 1, f"{key} was throttled"
            )
        self._alarm("GraphRunsFailed", state_machine.metric_failed(period=PERIOD), 1, "graph runs failed")
        self._alarm(
            "GraphRunsTimedOut", state_machine.metric_timed_out(period=PERIOD), 1, "graph runs timed out"
        )
        for name, queue in sorted(dead_letter_queues.items()):
            depth = queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum")
            self._alarm(f"{name}-DeadLetters", depth, 1, f"{name} holds failed events")

        self.dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=f"{Stack.of(self).stack_name}-{Stack.of(self).region}"
        )
        self.dashboard.add_widgets(
            *self._widgets(rest_api, api_5xx, functions, state_machine, dead_letter_queues)
        )

    def _alarm(self, construct_id: str, metric: cloudwatch.IMetric, threshold: int, what: str) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"Agent platform: {what}",
        )
        alarm.add_alarm_action(self._action)
        self.alarms.append(alarm)

    def _widgets(
        self,
        rest_api: apigw.RestApiBase,
        api_5xx: cloudwatch.IMetric,
        functions: Mapping[str, lambda_.Function],
        state_machine: sfn.StateMachine,
        dead_letter_queues: Mapping[str, sqs.IQueue],
    ) -> Sequence[cloudwatch.IWidget]:
        ordered = sorted(functions.items())
        return [
            cloudwatch.GraphWidget(
                title="REST API requests",
                left=[
                    rest_api.metric_count(statistic="Sum"),
                    rest_api.metric_client_error(statistic="Sum"),
                    api_5xx,
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="REST API latency (p95)",
                left=[
                    rest_api.metric_latency(statistic="p95"),
                    rest_api.metric_integration_latency(statistic="p95"),
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Lambda errors", left=[fn.metric_errors(label=key) for key, fn in ordered], width=12
            ),
            cloudwatch.GraphWidget(
                title="Lambda duration (p95)",
                left=[fn.metric_duration(label=key, statistic="p95") for key, fn in ordered],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Graph runs",
                left=[
                    state_machine.metric_started(),
                    state_machine.metric_succeeded(),
                    state_machine.metric_failed(),
                    state_machine.metric_timed_out(),
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Dead letters",
                left=[
                    queue.metric_approximate_number_of_messages_visible(label=name, statistic="Maximum")
                    for name, queue in sorted(dead_letter_queues.items())
                ],
                width=12,
            ),
        ]
