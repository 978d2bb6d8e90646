"""Table stream -> events function: execution updates fanned out to WebSocket subscribers.

Partial batch failures are reported per record; a poison record is isolated by
bisection, retried a few times, then parked in a dead-letter queue with its position.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from agentplatform.store.executions import GRAPH_EXEC_TYPE, NODE_EXEC_TYPE
from infra_cdk.nag import acknowledge

BATCH_SIZE = 100
# Concurrent batches per shard; each run's records stay in order (one partition key).
PARALLELIZATION_FACTOR = 10
RETRY_ATTEMPTS = 3
# Stale events are useless to a live client; past this the record goes to the DLQ.
MAX_RECORD_AGE = Duration.hours(1)
EVENT_ITEM_TYPES = (GRAPH_EXEC_TYPE, NODE_EXEC_TYPE)


class EventStream(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, table: dynamodb.ITable, function: lambda_.Function
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        acknowledge(
            self.dead_letters,
            "AwsSolutions-SQS3",
            "This queue is itself the on-failure destination of the table stream's event source mapping.",
        )
        function.add_event_source(
            sources.DynamoEventSource(
                table,
                starting_position=lambda_.StartingPosition.LATEST,
                batch_size=BATCH_SIZE,
                parallelization_factor=PARALLELIZATION_FACTOR,
                max_batching_window=Duration.seconds(0),
                bisect_batch_on_error=True,
                retry_attempts=RETRY_ATTEMPTS,
                max_record_age=MAX_RECORD_AGE,
                report_batch_item_failures=True,
                on_failure=sources.SqsDlq(self.dead_letters),
                # Only run and node writes become events; filtering here saves an
                # invocation for every other write (graphs, users, the event log itself).
                filters=[
                    lambda_.FilterCriteria.filter(
                        {
                            "eventName": lambda_.FilterRule.or_("INSERT", "MODIFY"),
                            "dynamodb": {
                                "NewImage": {"type": {"S": lambda_.FilterRule.or_(*EVENT_ITEM_TYPES)}}
                            },
                        }
                    )
                ],
            )
        )
        if function.role is not None:
            acknowledge(
                function.role,
                "AwsSolutions-IAM5[Resource::*]",
                "dynamodb:ListStreams (added by the event source) has no resource-level permissions.",
            )
