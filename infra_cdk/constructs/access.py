"""Least-privilege IAM: one explicit statement per ``Access`` a function spec asks for.

Explicit action lists (not ``grant_read_write``'s wildcards such as ``s3:GetObject*``)
keep every permission reviewable and cdk-nag findings down to resource scoping.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from infra_cdk.catalog import Access

TABLE_READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"]
# Transactions are authorised per contained operation, so these cover TransactWriteItems.
TABLE_WRITE = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]
BUCKET_READ = ["s3:GetObject", "s3:GetObjectTagging"]  # tags: an upload's malware scan verdict
BUCKET_WRITE = ["s3:PutObject", "s3:DeleteObject"]
KMS_DECRYPT = ["kms:Decrypt"]
KMS_ENCRYPT = ["kms:GenerateDataKey", "kms:Decrypt"]
SCHEDULES = [
    "scheduler:CreateSchedule",
    "scheduler:UpdateSchedule",
    "scheduler:DeleteSchedule",
    "scheduler:GetSchedule",
]


@dataclass(frozen=True)
class Targets:
    """The resources ``Access`` values refer to, as ARNs where a pattern is needed."""

    table: dynamodb.ITable
    bucket: s3.IBucket
    credentials_key: kms.IKey
    state_machine_arn: str
    execution_arns: str  # every execution of that state machine
    connections_arn: str  # @connections of the WebSocket stage
    schedules_arn: str  # every schedule in the platform's group
    scheduler_role: iam.IRole
    platform_secrets_arn: str = ""  # Secrets Manager secret with OAuth app credentials, if any
    notifications_queue_arn: str = ""
    # SES: the identity mail is sent through (and its configuration set), if one is configured
    email_identity_arn: str = ""
    email_configuration_set_arn: str = ""
    # public media (listing media, OAuth app logos): their prefixes in the media bucket
    media_arns: tuple[str, ...] = ()


def statements(access: frozenset[Access], targets: Targets) -> list[iam.PolicyStatement]:
    found: list[iam.PolicyStatement] = []

    def allow(actions: list[str], resources: list[str]) -> None:
        found.append(iam.PolicyStatement(actions=actions, resources=resources))

    table = [targets.table.table_arn, f"{targets.table.table_arn}/index/*"]
    if Access.TABLE_WRITE in access:
        allow(TABLE_READ + TABLE_WRITE, table)
    elif Access.TABLE_READ in access:
        allow(TABLE_READ, table)
    objects = [targets.bucket.arn_for_objects("*")]
    if Access.BUCKET_WRITE in access:
        allow(BUCKET_READ + BUCKET_WRITE, objects)
    elif Access.BUCKET_READ in access:
        allow(BUCKET_READ, objects)
    if Access.CREDENTIALS_ENCRYPT in access:
        allow(KMS_ENCRYPT, [targets.credentials_key.key_arn])
    elif Access.CREDENTIALS_DECRYPT in access:
        allow(KMS_DECRYPT, [targets.credentials_key.key_arn])
    if Access.RUN_CONTROL in access:
        allow(["states:StartExecution", "states:ListExecutions"], [targets.state_machine_arn])
        allow(["states:DescribeExecution", "states:StopExecution"], [targets.execution_arns])
    elif Access.RUN_START in access:
        allow(["states:StartExecution"], [targets.state_machine_arn])
        allow(["states:DescribeExecution"], [targets.execution_arns])
    if Access.WEBSOCKET_POST in access:
        allow(["execute-api:ManageConnections"], [targets.connections_arn])
    if Access.SCHEDULES in access:
        allow(SCHEDULES, [targets.schedules_arn])
        allow(["iam:PassRole"], [targets.scheduler_role.role_arn])
    elif Access.SCHEDULES_DELETE in access:
        allow(["scheduler:DeleteSchedule"], [targets.schedules_arn])
    if Access.PLATFORM_SECRETS in access and targets.platform_secrets_arn:
        allow(["secretsmanager:GetSecretValue"], [targets.platform_secrets_arn])
    if Access.NOTIFY in access and targets.notifications_queue_arn:
        allow(["sqs:SendMessage"], [targets.notifications_queue_arn])
    if Access.SEND_EMAIL in access and targets.email_identity_arn:
        mail = [targets.email_identity_arn, targets.email_configuration_set_arn]
        allow(["ses:SendEmail", "ses:SendRawEmail"], [arn for arn in mail if arn])
    if Access.MEDIA_WRITE in access and targets.media_arns:
        # GetObject: the redirect routes sign URLs, which work only with the signer's read
        allow(["s3:GetObject", *BUCKET_WRITE], list(targets.media_arns))
    return found


def grant(role: iam.IRole, access: frozenset[Access], targets: Targets) -> None:
    for statement in statements(access, targets):
        role.add_to_principal_policy(statement)
