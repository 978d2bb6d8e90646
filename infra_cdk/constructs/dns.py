"""An alias record for a custom domain, when the hosted zone is given in context."""

from __future__ import annotations

from aws_cdk import aws_route53 as route53
from constructs import Construct

from infra_cdk.config import PlatformConfig


def add_alias(
    scope: Construct, config: PlatformConfig, record_name: str, target: route53.IAliasRecordTarget
) -> None:
    """``record_name`` → ``target`` in the configured zone; nothing without a zone."""
    if not (config.hosted_zone_id and config.hosted_zone_name):
        return
    zone = route53.HostedZone.from_hosted_zone_attributes(
        scope, "Zone", hosted_zone_id=config.hosted_zone_id, zone_name=config.hosted_zone_name
    )
    route53.ARecord(
        scope, "Alias", zone=zone, record_name=record_name, target=route53.RecordTarget.from_alias(target)
    )
