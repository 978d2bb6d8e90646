"""cdk-nag (v3: a CDK policy-validation plugin) and the one way we acknowledge findings.

Every acknowledgment names the exact finding and says why it is acceptable, next to
the resource it concerns.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Acknowledgment, App, Stack, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

# A reason shorter than this is not a justification.
MIN_REASON = 20


def enable(app: App) -> None:
    # Acknowledgments are also written to each resource's Metadata (cdk_nag.rules_to_suppress):
    # the template itself then shows reviewers what was accepted, and why.
    Validations.of(app).add_plugins(
        AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True)
    )


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Accept finding ``rule`` (``AwsSolutions-X`` or ``AwsSolutions-X[finding]``) on ``scope``."""
    if len(reason) < MIN_REASON:
        raise ValueError(f"justify {rule} properly: {reason!r}")
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))


def rendered(scope: IConstruct, value: str) -> str:
    """``value`` (a string with CDK tokens) as cdk-nag prints it in a finding id.

    ``Ref`` becomes ``<Name>``, ``Fn::GetAtt`` ``<Name.Attr>``, ``Fn::Join`` concatenates;
    so acknowledgments are derived from the very ARNs granted, not copied from a report.
    """
    return _render(Stack.of(scope).resolve(value))


def _render(node: Any) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, dict) and "Ref" in node:
        return f"<{node['Ref']}>"
    if isinstance(node, dict) and "Fn::GetAtt" in node:
        return "<" + ".".join(node["Fn::GetAtt"]) + ">"
    if isinstance(node, dict) and "Fn::Join" in node:
        separator, parts = node["Fn::Join"]
        return str(separator).join(_render(part) for part in parts)
    raise ValueError(f"cannot render {node!r} as a cdk-nag finding")


def acknowledge_wildcard(scope: IConstruct, resource: str, reason: str) -> None:
    """Accept the IAM5 finding for a wildcard ``resource`` anywhere under ``scope``."""
    acknowledge(scope, f"AwsSolutions-IAM5[Resource::{rendered(scope, resource)}]", reason)
