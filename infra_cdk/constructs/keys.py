"""The KMS key that wraps the data keys of stored third-party credentials."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra_cdk.config import PlatformConfig


class CredentialsKey(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: PlatformConfig) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "Key",
            description="Agent platform: wraps the data keys of users' integration credentials",
            enable_key_rotation=True,
            alias=f"alias/{Stack.of(self).stack_name}/credentials",
            # losing the key loses every stored credential: keep it unless told otherwise
            removal_policy=RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY,
        )
