"""Uploads in the stack: expiry lifecycle rules, the size limit within Lambda's payload,
GuardDuty Malware Protection for S3 (context ``malware_protection``) and the settings it
implies; the platform services' function."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra


def _env(synthesized: Synthesized, module: str) -> dict[str, Any]:
    for resource in synthesized.resources("AWS::Lambda::Function").values():
        if resource["Properties"]["Handler"] == f"{module}.handler":
            return dict(resource["Properties"]["Environment"]["Variables"])
    raise AssertionError(module)


def _bucket_rules(synthesized: Synthesized) -> list[dict[str, Any]]:
    for bucket in synthesized.resources("AWS::S3::Bucket").values():
        if bucket["Properties"].get("VersioningConfiguration"):
            return list(bucket["Properties"]["LifecycleConfiguration"]["Rules"])
    raise AssertionError("no value bucket")


def test_uploads_expire_by_prefix(synthesized: Synthesized) -> None:
    rules = {rule["Id"]: rule for rule in _bucket_rules(synthesized)}
    for days in (1, 2):
        rule = rules[f"expire-uploads-{days}d"]
        assert rule["Prefix"] == f"uploads/{days}d/"
        assert rule["ExpirationInDays"] == days
        assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
        assert rule["Status"] == "Enabled"


def test_defaults_scan_nothing_and_limit_uploads_to_what_lambda_accepts(synthesized: Synthesized) -> None:
    assert synthesized.resources("AWS::GuardDuty::MalwareProtectionPlan") == {}
    env = _env(synthesized, "rest.platform")
    assert env["UPLOAD_MALWARE_SCAN"] == "none"
    assert env["UPLOAD_FILE_SIZE_LIMIT_MB"] == "4"
    assert "OTTO_API_URL" not in env
    assert "OUTBOUND_HOST_OVERRIDES" in env  # Otto is reached through the SSRF-safe client
    assert "OUTBOUND_HOST_OVERRIDES" in _env(synthesized, "rest.executions")  # the analytics model


def test_malware_protection_scans_and_tags_uploads(variant: Synthesized) -> None:
    (plan,) = variant.resources("AWS::GuardDuty::MalwareProtectionPlan").values()
    props = plan["Properties"]
    assert props["Actions"] == {"Tagging": {"Status": "ENABLED"}}
    assert props["ProtectedResource"]["S3Bucket"]["ObjectPrefixes"] == ["uploads/"]
    role = props["Role"]["Fn::GetAtt"][0]
    trust = variant.resources("AWS::IAM::Role")[role]["Properties"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {
        "Service": "malware-protection-plan.guardduty.amazonaws.com"
    }
    actions = {
        action
        for policy in variant.resources("AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }
    assert {"s3:PutObjectTagging", "s3:GetObject", "s3:PutBucketNotification", "events:PutRule"} <= actions
    for module in ("rest.platform", "rest.blocks", "graph_run.run_node"):
        assert _env(variant, module)["UPLOAD_MALWARE_SCAN"] == "guardduty", module
    assert _env(variant, "rest.platform")["OTTO_API_URL"] == "https://otto.example.com/ask"


def _policy_statements(synthesized: Synthesized, module: str) -> list[dict[str, Any]]:
    for resource in synthesized.resources("AWS::Lambda::Function").values():
        if resource["Properties"]["Handler"] == f"{module}.handler":
            role = resource["Properties"]["Role"]["Fn::GetAtt"][0]
            return [
                statement
                for policy in synthesized.resources("AWS::IAM::Policy").values()
                if {"Ref": role} in policy["Properties"]["Roles"]
                for statement in policy["Properties"]["PolicyDocument"]["Statement"]
            ]
    raise AssertionError(module)


def _logo_statements(synthesized: Synthesized) -> list[dict[str, Any]]:
    return [
        s for s in _policy_statements(synthesized, "rest.oauth") if "oauth-apps/" in json.dumps(s["Resource"])
    ]


def test_public_media_go_to_the_media_bucket_when_one_is_set(
    synthesized: Synthesized, variant: Synthesized
) -> None:
    assert "MEDIA_BUCKET_NAME" not in _env(synthesized, "rest.oauth")
    [default] = _logo_statements(synthesized)  # in the values bucket
    assert default["Resource"][1]["Fn::Join"][1][1] == "/oauth-apps/*/logo/*"
    for key in ("rest.oauth", "rest.store"):
        env = _env(variant, key)
        assert (env["MEDIA_BUCKET_NAME"], env["MEDIA_BASE_URL"]) == (
            "example-media",
            "https://media.example.com",
        )
    [statement] = _logo_statements(variant)
    assert statement["Action"] == ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    media = "arn:", {"Ref": "AWS::Partition"}
    assert statement["Resource"] == [
        {"Fn::Join": ["", [*media, ":s3:::example-media/store-media/*/*"]]},
        {"Fn::Join": ["", [*media, ":s3:::example-media/oauth-apps/*/logo/*"]]},
    ]
