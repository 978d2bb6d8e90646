"""The stack with every optional feature on: custom domains, CORS, tracing, disposable data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra


def test_variant_synthesizes_and_passes_cdk_nag(variant: Synthesized) -> None:
    assert variant.error == ""
    assert [r for r in variant.report["pluginReports"] if r.get("violations")] == []


def test_variant_passes_cfn_lint(variant: Synthesized) -> None:
    template = variant.outdir / "AgentPlatform.template.json"
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(cfn_lint), str(template)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_custom_domains_with_dns_aliases(variant: Synthesized) -> None:
    (rest_domain,) = variant.resources("AWS::ApiGateway::DomainName").values()
    assert rest_domain["Properties"]["DomainName"] == "api.example.com"
    assert rest_domain["Properties"]["SecurityPolicy"] == "TLS_1_2"
    assert len(variant.resources("AWS::ApiGateway::BasePathMapping")) == 1
    (ws_domain,) = variant.resources("AWS::ApiGatewayV2::DomainName").values()
    assert ws_domain["Properties"]["DomainName"] == "ws.example.com"
    assert len(variant.resources("AWS::ApiGatewayV2::ApiMapping")) == 1
    records = {r["Properties"]["Name"] for r in variant.resources("AWS::Route53::RecordSet").values()}
    assert records == {"api.example.com.", "ws.example.com."}
    assert variant.template["Outputs"]["RestApiUrl"]["Value"] == "https://api.example.com/"


def test_cors_preflight_on_every_path(variant: Synthesized) -> None:
    (api,) = variant.resources("AWS::ApiGateway::RestApi").values()
    paths = api["Properties"]["Body"]["paths"]
    assert all("options" in operations for operations in paths.values())
    (function,) = [
        f
        for f in variant.resources("AWS::Lambda::Function").values()
        if f["Properties"]["Handler"] == "rest.graphs.handler"
    ]
    assert (
        function["Properties"]["Environment"]["Variables"]["BACKEND_CORS_ALLOW_ORIGINS"]
        == "https://app.example.com,https://staging.example.com"
    )


def test_tracing_everywhere(variant: Synthesized) -> None:
    functions = variant.resources("AWS::Lambda::Function").values()
    assert all(f["Properties"]["TracingConfig"] == {"Mode": "Active"} for f in functions)
    (machine,) = variant.resources("AWS::StepFunctions::StateMachine").values()
    assert machine["Properties"]["TracingConfiguration"] == {"Enabled": True}
    (stage,) = variant.resources("AWS::ApiGateway::Stage").values()
    assert stage["Properties"]["TracingEnabled"] is True


def test_disposable_data_and_no_reservations(variant: Synthesized) -> None:
    (table,) = variant.resources("AWS::DynamoDB::Table").values()
    assert table["DeletionPolicy"] == "Delete"
    assert table["Properties"]["DeletionProtectionEnabled"] is False
    functions = variant.resources("AWS::Lambda::Function").values()
    assert all("ReservedConcurrentExecutions" not in f["Properties"] for f in functions)
    rules = [
        rule
        for bucket in variant.resources("AWS::S3::Bucket").values()
        for rule in bucket["Properties"].get("LifecycleConfiguration", {}).get("Rules", [])
    ]
    assert {"Id": "expire-values", "Prefix": "values/", "ExpirationInDays": 30, "Status": "Enabled"} in rules


def test_alarm_email_subscription(variant: Synthesized) -> None:
    (subscription,) = variant.resources("AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == "ops@example.com"


def test_schedules_target_and_domain_once_they_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``functions/schedules/run.py`` and a ``schedules`` REST domain do not exist yet:
    synthesize as if they did, so adding them cannot break the stack."""
    from agentplatform.api import domains
    from infra_cdk import catalog
    from infra_cdk.app import build_app

    run = catalog.FunctionSpec(
        "schedules.run", catalog.Kind.SCHEDULES, frozenset({catalog.Access.TABLE_WRITE})
    )
    monkeypatch.setattr(catalog, "schedule_functions", lambda: [run])
    monkeypatch.setitem(domains.DOMAINS, "schedules", ())
    app, stack = build_app({"bundle": False}, str(tmp_path))
    template = app.synth().get_stack_by_name(stack.stack_name).template

    functions = {
        r["Properties"]["Handler"]: (name, r["Properties"])
        for name, r in template["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function"
    }
    target, _ = functions["schedules.run.handler"]
    env = functions["rest.schedules.handler"][1]["Environment"]["Variables"]
    assert env["SCHEDULE_TARGET_ARN"] == {"Fn::GetAtt": [target, "Arn"]}
    assert set(env) >= {"SCHEDULE_GROUP_NAME", "SCHEDULER_ROLE_ARN", "SCHEDULE_DLQ_ARN"}
