"""The S3 bucket for values too large for a DynamoDB item, plus its access-log bucket."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from agentplatform.store.keys import UPLOADS_PREFIX
from infra_cdk.config import PlatformConfig
from infra_cdk.nag import acknowledge

NONCURRENT_VERSION_DAYS = 30
ACCESS_LOG_DAYS = 90
UPLOAD_EXPIRY_DAYS = (1, 2)  # uploads/<n>d/ (files/service.py: ceil(expiration_hours / 24))


class ValueStorage(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: PlatformConfig) -> None:
        super().__init__(scope, construct_id)
        removal = RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(id="expire-logs", expiration=Duration.days(ACCESS_LOG_DAYS))],
            removal_policy=removal,
        )
        acknowledge(
            self.access_logs,
            "AwsSolutions-S1",
            "This is the access-log bucket; logging it to itself would loop.",
        )
        rules = [
            s3.LifecycleRule(
                id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(1)
            ),
            s3.LifecycleRule(
                id="expire-old-versions",
                noncurrent_version_expiration=Duration.days(NONCURRENT_VERSION_DAYS),
            ),
        ]
        # Uploads live 1-48 hours: deleted a day or two after (reads refuse them at expiry).
        rules.extend(
            s3.LifecycleRule(
                id=f"expire-uploads-{days}d",
                prefix=f"{UPLOADS_PREFIX}{days}d/",
                expiration=Duration.days(days),
                noncurrent_version_expiration=Duration.days(1),
            )
            for days in UPLOAD_EXPIRY_DAYS
        )
        if config.value_expiration_days > 0:
            rules.append(
                s3.LifecycleRule(id="expire-values", expiration=Duration.days(config.value_expiration_days))
            )
        self.bucket = s3.Bucket(
            self,
            "Values",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            versioned=True,  # an overwritten or deleted value stays recoverable for a while
            lifecycle_rules=rules,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="values/",
            removal_policy=removal,
        )
