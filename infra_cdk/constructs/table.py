"""The single DynamoDB table, shaped by ``agentplatform.store.schema`` (never by hand)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from agentplatform.store import schema
from infra_cdk.config import PlatformConfig


def _string_key(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class PlatformTable(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: PlatformConfig) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=_string_key(schema.PARTITION_KEY),
            sort_key=_string_key(schema.SORT_KEY),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute=schema.TTL_ATTRIBUTE,
            stream=dynamodb.StreamViewType(schema.STREAM_VIEW_TYPE),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=config.deletion_protection,
            removal_policy=RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY,
        )
        for index, projection in schema.PROJECTIONS.items():
            self.table.add_global_secondary_index(
                index_name=index,
                partition_key=_string_key(f"{index}pk"),
                sort_key=_string_key(f"{index}sk"),
                projection_type=dynamodb.ProjectionType(projection),
            )
