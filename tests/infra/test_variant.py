"""The stack with every optional feature on: custom domains, CORS, tracing, disposable data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agentplatform.api.domains import DOMAINS
from tests.infra.conftest import VARIANT_CONTEXT, Synthesized, references

VARIANT_PLATFORM_SECRET = VARIANT_CONTEXT["platform_secrets_arn"]

pytestmark = pytest.mark.infra


def test_variant_synthesizes_and_passes_cdk_nag(variant: Synthesized) -> None:
    assert variant.error == ""
    assert [r for r in variant.report["pluginReports"] if r.get("violations")] == []


def test_variant_passes_cfn_lint(variant: Synthesized) -> None:
    template = variant.outdir / "AgentPlatform.template.json"
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    # Nothing ignored beyond the template's own Metadata.cfn-lint config: E1002 (over
    # CloudFormation's 1 MB) included.
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


def test_cors_preflights_reach_the_app_and_gateway_errors_name_the_first_origin(
    variant: Synthesized,
) -> None:
    from infra_cdk.openapi import ANY_METHOD

    (api,) = variant.resources("AWS::ApiGateway::RestApi").values()
    body = api["Properties"]["Body"]
    # OPTIONS has no mock of its own: each path's catch-all takes it to a function
    assert all(
        ANY_METHOD in operations and "options" not in operations for operations in body["paths"].values()
    )
    for response in body["x-amazon-apigateway-gateway-responses"].values():
        assert response["responseParameters"] == {
            "gatewayresponse.header.Access-Control-Allow-Origin": "'https://app.example.com'"
        }
    (function,) = [
        f
        for f in variant.resources("AWS::Lambda::Function").values()
        if f["Properties"]["Handler"] == "rest.graphs.handler"
    ]
    assert (
        function["Properties"]["Environment"]["Variables"]["BACKEND_CORS_ALLOW_ORIGINS"]
        == "https://app.example.com,https://staging.example.com"
    )
    assert function["Properties"]["Environment"]["Variables"]["EXTERNAL_OAUTH_CALLBACK_ORIGINS"] == (
        "https://agents.example.com"
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


def test_webhook_urls_use_the_custom_domain(variant: Synthesized, synthesized: Synthesized) -> None:
    def rest_envs(s: Synthesized) -> list[dict[str, object]]:
        functions = s.resources("AWS::Lambda::Function").values()
        return [
            f["Properties"]["Environment"]["Variables"]
            for f in functions
            if f["Properties"]["Handler"].startswith("rest.")
        ]

    assert {env.get("PLATFORM_BASE_URL") for env in rest_envs(variant)} == {"https://api.example.com"}
    assert {env.get("PLATFORM_BASE_URL") for env in rest_envs(synthesized)} == {None}


def test_the_platform_secret_is_readable_by_exactly_the_functions_that_need_it(variant: Synthesized) -> None:
    from infra_cdk.catalog import Access, all_functions
    from tests.infra.conftest import VARIANT_CONTEXT

    arn = VARIANT_CONTEXT["platform_secrets_arn"]
    specs = {spec.handler: spec for spec in all_functions(300)}
    readers = set()
    for function in variant.resources("AWS::Lambda::Function").values():
        handler = function["Properties"]["Handler"]
        env = function["Properties"]["Environment"]["Variables"]
        assert (env.get("PLATFORM_SECRETS_ARN") == arn) is (Access.PLATFORM_SECRETS in specs[handler].access)
        if "PLATFORM_SECRETS_ARN" in env:
            readers.add(handler)
    assert readers == {
        "rest.integrations.handler",
        "rest.blocks.handler",
        "rest.external.handler",
        "rest.executions.handler",  # admin run analytics: the platform's model key
        "graph_run.run_node.handler",
        "rest.email.handler",
        "rest.credits.handler",  # Stripe's key and webhook secret
        "notifications.consumer.handler",
    }
    grants = [
        statement
        for policy in variant.resources("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Action"] == "secretsmanager:GetSecretValue"
    ]
    assert len(grants) == len(readers)
    assert all(statement["Resource"] == arn for statement in grants)


def test_snap_start_publishes_each_function_behind_a_live_alias(variant: Synthesized) -> None:
    functions = variant.resources("AWS::Lambda::Function")
    versions = variant.resources("AWS::Lambda::Version")
    aliases = variant.resources("AWS::Lambda::Alias")
    assert all(f["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"} for f in functions.values())
    assert sorted(v["Properties"]["FunctionName"]["Ref"] for v in versions.values()) == sorted(functions)
    # a replaced version goes: each one keeps a billed snapshot
    assert {v["DeletionPolicy"] for v in versions.values()} == {"Delete"}
    for alias in aliases.values():
        props = alias["Properties"]
        assert props["Name"] == "live"
        version = props["FunctionVersion"]["Fn::GetAtt"][0]
        assert versions[version]["Properties"]["FunctionName"] == props["FunctionName"]
    assert sorted(a["Properties"]["FunctionName"]["Ref"] for a in aliases.values()) == sorted(functions)


def test_with_snap_start_every_caller_invokes_the_live_alias(variant: Synthesized) -> None:
    functions = set(variant.resources("AWS::Lambda::Function"))
    aliases = set(variant.resources("AWS::Lambda::Alias"))
    callers = {
        "AWS::StepFunctions::StateMachine": 3,
        "AWS::Lambda::EventSourceMapping": 2,  # the table stream, the notifications queue
        "AWS::ApiGateway::RestApi": len(DOMAINS) + 1,
        "AWS::ApiGatewayV2::Integration": 3,
        "AWS::Events::Rule": 1,  # the run reconciler's schedule
        "AWS::Lambda::Permission": len(DOMAINS) + 1 + 3 + 1,
    }
    for type_name, count in callers.items():
        named = set().union(*(references(r["Properties"]) for r in variant.resources(type_name).values()))
        assert named & functions == set(), type_name
        assert len(named & aliases) == count, type_name
    # asynchronous invocations (the scheduler's, the reconciler rule's) are configured on the alias
    qualifiers = [
        c["Properties"]["Qualifier"] for c in variant.resources("AWS::Lambda::EventInvokeConfig").values()
    ]
    assert len(qualifiers) == 6 and set().union(*map(references, qualifiers)) <= aliases
    # the IAM side: the state machine and the scheduler may invoke the aliases only
    invoke_targets = {
        ref
        for policy in variant.resources("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Action"] == "lambda:InvokeFunction"
        for ref in references(statement["Resource"])
    }
    assert len(invoke_targets) == 4 and invoke_targets <= aliases
    env = next(
        f["Properties"]["Environment"]["Variables"]
        for f in variant.resources("AWS::Lambda::Function").values()
        if f["Properties"]["Handler"] == "rest.schedules.handler"
    )
    assert references(env["SCHEDULE_TARGET_ARN"]) <= aliases


def test_credit_settings_reach_every_function_and_stripe_secrets_the_credits_one(
    variant: Synthesized,
) -> None:
    functions = variant.resources("AWS::Lambda::Function").values()
    for function in functions:
        env = function["Properties"]["Environment"]["Variables"]
        assert (env["ENABLE_CREDIT"], env["NUM_USER_CREDITS_REFILL"]) == ("true", "2000")
        assert (env["ENABLE_BETA_MONTHLY_CREDIT"], env["REFUND_CREDIT_TOLERANCE_THRESHOLD"]) == (
            "true",
            "500",
        )
    (credits,) = [f for f in functions if f["Properties"]["Handler"] == "rest.credits.handler"]
    assert credits["Properties"]["Environment"]["Variables"]["PLATFORM_SECRETS_ARN"] == (
        VARIANT_PLATFORM_SECRET
    )
