"""The synthesized template: what each construct must deploy, checked on the real stack."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentplatform.api.domains import DOCS_DOMAIN, DOMAINS, route_table
from agentplatform.store import schema
from infra_cdk.catalog import Access, Kind, all_functions
from infra_cdk.config import PlatformConfig
from infra_cdk.graph_run_asl import definition
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra

DEFAULTS = PlatformConfig()
SPECS = {spec.key: spec for spec in all_functions(DEFAULTS.run_node_timeout_seconds)}
COMMON_ENV = {
    "TABLE_NAME",
    "BUCKET_NAME",
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "LOG_LEVEL",
}
JWT_ENV = {"JWT_VERIFY_KEY", "JWT_SIGN_ALGORITHM", "JWT_JWKS_URL", "ENABLE_AUTH"}


def _functions(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    """Function properties by handler module (``rest.graphs``, ``graph_run.plan``, ...)."""
    found = {}
    for resource in synthesized.resources("AWS::Lambda::Function").values():
        handler = resource["Properties"]["Handler"]
        found[handler.rsplit(".", 1)[0]] = resource["Properties"]
    return found


def _logical_id(synthesized: Synthesized, key: str) -> str:
    for logical, resource in synthesized.resources("AWS::Lambda::Function").items():
        if resource["Properties"]["Handler"] == f"{key}.handler":
            return logical
    raise AssertionError(f"no function for {key}")


def _policy_statements(synthesized: Synthesized, key: str) -> list[dict[str, Any]]:
    role = _functions(synthesized)[key]["Role"]["Fn::GetAtt"][0]
    statements: list[dict[str, Any]] = []
    for policy in synthesized.resources("AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    actions: set[str] = set()
    for statement in statements:
        value = statement["Action"]
        actions.update([value] if isinstance(value, str) else value)
    return actions


def test_synthesis_raised_nothing(synthesized: Synthesized) -> None:
    assert synthesized.error == ""


def test_one_function_per_catalog_entry_all_python312_arm64_with_the_core_layer(
    synthesized: Synthesized,
) -> None:
    functions = _functions(synthesized)
    assert set(functions) == set(SPECS)
    layers = list(synthesized.resources("AWS::Lambda::LayerVersion"))
    assert len(layers) == 1
    for key, props in functions.items():
        assert props["Runtime"] == "python3.12", key
        assert props["Architectures"] == ["arm64"], key
        assert props["Layers"] == [{"Ref": layers[0]}], key
        assert props["MemorySize"] == SPECS[key].memory_mb
        assert props["Timeout"] == SPECS[key].timeout_seconds


def test_every_api_domain_and_the_docs_domain_gets_a_rest_function(synthesized: Synthesized) -> None:
    rest = {key for key in _functions(synthesized) if key.startswith("rest.")}
    assert rest == {f"rest.{domain}" for domain in (*DOMAINS, DOCS_DOMAIN)}


def test_all_functions_share_one_code_asset(synthesized: Synthesized) -> None:
    keys = {json.dumps(props["Code"], sort_keys=True) for props in _functions(synthesized).values()}
    assert len(keys) == 1


def test_environment_follows_the_contract(synthesized: Synthesized) -> None:
    for key, props in _functions(synthesized).items():
        env = props["Environment"]["Variables"]
        spec = SPECS[key]
        assert set(env) >= COMMON_ENV, key
        assert env["POWERTOOLS_SERVICE_NAME"] == "agentplatform"
        assert (set(env) >= JWT_ENV) is spec.verifies_tokens, key
        assert ("BACKEND_CORS_ALLOW_ORIGINS" in env) is (spec.kind is Kind.REST), key
        wants_runs = bool(spec.access & {Access.RUN_START, Access.RUN_CONTROL})
        assert ("STATE_MACHINE_ARN" in env) is wants_runs, key
        assert ("WEBSOCKET_CALLBACK_URL" in env) is (Access.WEBSOCKET_POST in spec.access), key
    functions = _functions(synthesized)
    for key in ("graph_run.plan", "graph_run.run_node", "graph_run.finalize"):
        assert "STATE_MACHINE_ARN" in functions[key]["Environment"]["Variables"], key
    assert "TRUST_ENDPOINTS_FOR_REQUESTS" in functions["graph_run.run_node"]["Environment"]["Variables"]
    # OAuth token requests leave from the integrations function too
    assert "OUTBOUND_HOST_OVERRIDES" in functions["rest.integrations"]["Environment"]["Variables"]
    assert all(
        "PLATFORM_SECRETS_ARN" not in props["Environment"]["Variables"] for props in functions.values()
    )
    # a block waits on a service's job well inside its function's timeout (300 s by default)
    assert (
        functions["graph_run.run_node"]["Environment"]["Variables"]["SERVICE_POLL_TIMEOUT_SECONDS"] == "180"
    )
    assert "CREDENTIALS_KMS_KEY_ID" in functions["graph_run.run_node"]["Environment"]["Variables"]
    assert "WEBSOCKET_CALLBACK_URL" in functions["events.stream"]["Environment"]["Variables"]
    if "executions" in DOMAINS:
        assert "STATE_MACHINE_ARN" in functions["rest.executions"]["Environment"]["Variables"]
    if "integrations" in DOMAINS:
        assert "CREDENTIALS_KMS_KEY_ID" in functions["rest.integrations"]["Environment"]["Variables"]


def test_jwt_settings_come_from_parameters_and_the_key_is_no_echo(synthesized: Synthesized) -> None:
    parameters = synthesized.template["Parameters"]
    assert parameters["JwtVerifyKey"]["NoEcho"] is True
    assert parameters["EnableAuth"]["AllowedValues"] == ["true", "false"]
    env = _functions(synthesized)["rest.graphs"]["Environment"]["Variables"]
    assert env["JWT_VERIFY_KEY"] == {"Ref": "JwtVerifyKey"}
    assert env["JWT_SIGN_ALGORITHM"] == {"Ref": "JwtSignAlgorithm"}
    assert env["JWT_JWKS_URL"] == {"Ref": "JwtJwksUrl"}
    assert env["ENABLE_AUTH"] == {"Ref": "EnableAuth"}


def test_table_has_exactly_the_store_schema(template: Any) -> None:
    template.resource_count_is("AWS::DynamoDB::Table", 1)
    kwargs = schema.create_table_kwargs("ignored")
    template.has_resource(
        "AWS::DynamoDB::Table",
        {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"},
    )
    from aws_cdk.assertions import Match

    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": kwargs["KeySchema"],
            "AttributeDefinitions": Match.array_equals(kwargs["AttributeDefinitions"]),
            "GlobalSecondaryIndexes": kwargs["GlobalSecondaryIndexes"],
            "BillingMode": "PAY_PER_REQUEST",
            "StreamSpecification": {"StreamViewType": schema.STREAM_VIEW_TYPE},
            "TimeToLiveSpecification": {"AttributeName": schema.TTL_ATTRIBUTE, "Enabled": True},
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "DeletionProtectionEnabled": True,
        },
    )


def test_rest_api_routes_every_route_to_its_domain_function(synthesized: Synthesized) -> None:
    (api,) = synthesized.resources("AWS::ApiGateway::RestApi").values()
    body = api["Properties"]["Body"]
    from infra_cdk.openapi import ANY_METHOD, gateway_paths

    paths = gateway_paths(route_table())
    for route, path in paths.items():
        operations = body["paths"][path]
        operation = operations.get(route.method.lower(), operations[ANY_METHOD])
        integration = operation["x-amazon-apigateway-integration"]
        assert integration["type"] == "aws_proxy"
        assert integration["httpMethod"] == "POST"
        target = integration["uri"]["Fn::Join"][1][5]
        assert target == {"Fn::GetAtt": [_logical_id(synthesized, f"rest.{route.domain}"), "Arn"]}
    assert set(body["paths"]) == set(paths.values())
    assert api["Properties"]["EndpointConfiguration"] == {"Types": ["REGIONAL"]}


def test_rest_api_without_cors_context_names_no_origin(synthesized: Synthesized) -> None:
    (api,) = synthesized.resources("AWS::ApiGateway::RestApi").values()
    responses = api["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"]
    assert all(response["responseParameters"] == {} for response in responses.values())


def test_rest_stage_is_throttled_logged_and_each_function_may_be_invoked_by_the_api(
    synthesized: Synthesized, template: Any
) -> None:
    from aws_cdk.assertions import Match

    template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "StageName": DEFAULTS.stage_name,
            "AccessLogSetting": {
                "DestinationArn": Match.any_value(),
                "Format": Match.string_like_regexp("requestId"),
            },
            "MethodSettings": [
                Match.object_like(
                    {
                        "ThrottlingRateLimit": DEFAULTS.api_throttle_rate,
                        "ThrottlingBurstLimit": DEFAULTS.api_throttle_burst,
                        "LoggingLevel": "ERROR",
                        "DataTraceEnabled": False,
                    }
                )
            ],
        },
    )
    permitted = {
        p["Properties"]["FunctionName"]["Fn::GetAtt"][0]
        for p in synthesized.resources("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "apigateway.amazonaws.com"
    }
    assert {
        _logical_id(synthesized, key) for key in SPECS if key.startswith(("rest.", "websocket."))
    } <= permitted


def test_websocket_api_routes_and_stage(synthesized: Synthesized, template: Any) -> None:
    from aws_cdk.assertions import Match

    template.has_resource_properties(
        "AWS::ApiGatewayV2::Api",
        {"ProtocolType": "WEBSOCKET", "RouteSelectionExpression": "$request.body.method"},
    )
    routes = {r["Properties"]["RouteKey"] for r in synthesized.resources("AWS::ApiGatewayV2::Route").values()}
    assert routes == {"$connect", "$disconnect", "$default"}
    template.has_resource_properties(
        "AWS::ApiGatewayV2::Stage",
        {
            "StageName": DEFAULTS.stage_name,
            "AutoDeploy": True,
            "AccessLogSettings": Match.object_like({"DestinationArn": Match.any_value()}),
            "DefaultRouteSettings": Match.object_like(
                {"ThrottlingRateLimit": DEFAULTS.websocket_throttle_rate}
            ),
        },
    )
    for key in ("events.stream", "websocket.default"):
        assert "execute-api:ManageConnections" in _actions(_policy_statements(synthesized, key))
    for key in ("websocket.connect", "websocket.disconnect", "rest.graphs"):
        assert "execute-api:ManageConnections" not in _actions(_policy_statements(synthesized, key))


def test_state_machine_runs_the_engine_asl_with_the_three_functions(synthesized: Synthesized) -> None:
    (machine,) = synthesized.resources("AWS::StepFunctions::StateMachine").values()
    props = machine["Properties"]
    assert json.loads(props["DefinitionString"]) == definition(
        DEFAULTS.map_max_concurrency,
        run_node_timeout=DEFAULTS.run_node_timeout_seconds,
        run_timeout=DEFAULTS.graph_run_timeout_seconds,
    )
    assert props["StateMachineType"] == "STANDARD"
    assert props["StateMachineName"] == "AgentPlatform-graph-run"
    assert props["DefinitionSubstitutions"] == {
        "PlanFunctionArn": {"Fn::GetAtt": [_logical_id(synthesized, "graph_run.plan"), "Arn"]},
        "RunNodeFunctionArn": {"Fn::GetAtt": [_logical_id(synthesized, "graph_run.run_node"), "Arn"]},
        "FinalizeFunctionArn": {"Fn::GetAtt": [_logical_id(synthesized, "graph_run.finalize"), "Arn"]},
    }
    assert props["LoggingConfiguration"]["Level"] == "ALL"
    assert props["LoggingConfiguration"]["IncludeExecutionData"] is False
    assert props["TracingConfiguration"] == {"Enabled": False}


def test_stream_feeds_the_events_function_with_partial_failures_and_a_dlq(
    synthesized: Synthesized,
) -> None:
    events_function = {"Ref": _logical_id(synthesized, "events.stream")}
    mappings = synthesized.resources("AWS::Lambda::EventSourceMapping").values()
    (mapping,) = [m for m in mappings if m["Properties"]["FunctionName"] == events_function]
    props = mapping["Properties"]
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BisectBatchOnFunctionError"] is True
    assert props["MaximumRetryAttempts"] == 3
    assert props["StartingPosition"] == "LATEST"
    queue = props["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    assert synthesized.template["Resources"][queue]["Type"] == "AWS::SQS::Queue"
    (pattern,) = props["FilterCriteria"]["Filters"]
    assert json.loads(pattern["Pattern"]) == {
        "eventName": ["INSERT", "MODIFY"],
        "dynamodb": {"NewImage": {"type": {"S": ["graph_exec", "node_exec"]}}},
    }


def test_a_schedule_runs_the_reconciler_which_may_describe_and_start_runs_only(
    synthesized: Synthesized,
) -> None:
    (rule,) = synthesized.resources("AWS::Events::Rule").values()
    props = rule["Properties"]
    assert props["ScheduleExpression"] == f"rate({DEFAULTS.reconcile_interval_minutes} minutes)"
    assert props["State"] == "ENABLED"
    (target,) = props["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [_logical_id(synthesized, "graph_run.reconcile"), "Arn"]}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 0}
    permissions = [
        p["Properties"]
        for p in synthesized.resources("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "events.amazonaws.com"
    ]
    assert [p["FunctionName"] for p in permissions] == [
        {"Fn::GetAtt": [_logical_id(synthesized, "graph_run.reconcile"), "Arn"]}
    ]
    actions = _actions(_policy_statements(synthesized, "graph_run.reconcile"))
    assert {"states:DescribeExecution", "states:StartExecution", "dynamodb:Query"} <= actions
    assert "states:StopExecution" not in actions


def test_async_invocations_fail_into_a_queue(synthesized: Synthesized) -> None:
    configs = synthesized.resources("AWS::Lambda::EventInvokeConfig").values()
    configured = {c["Properties"]["FunctionName"]["Ref"] for c in configs}
    expected = {_logical_id(synthesized, key) for key, spec in SPECS.items() if spec.async_invocations}
    assert configured == expected
    for config in configs:
        assert "OnFailure" in config["Properties"]["DestinationConfig"]


def test_reserved_concurrency_from_context(synthesized: Synthesized) -> None:
    functions = _functions(synthesized)
    for key, props in functions.items():
        assert props.get("ReservedConcurrentExecutions") == DEFAULTS.reserved_concurrency.get(key), key


def test_least_privilege(synthesized: Synthesized) -> None:
    for key, spec in SPECS.items():
        statements = _policy_statements(synthesized, key)
        actions = _actions(statements)
        assert not any(action.endswith("*") for action in actions), (key, actions)
        writes_table = "dynamodb:PutItem" in actions
        assert writes_table is (Access.TABLE_WRITE in spec.access), key
        assert ("kms:GenerateDataKey" in actions) is (Access.CREDENTIALS_ENCRYPT in spec.access), key
        assert ("kms:Decrypt" in actions) is bool(
            spec.access & {Access.CREDENTIALS_ENCRYPT, Access.CREDENTIALS_DECRYPT}
        ), key
        assert ("s3:PutObject" in actions) is bool(spec.access & {Access.BUCKET_WRITE, Access.MEDIA_WRITE}), (
            key
        )
        assert ("states:StopExecution" in actions) is (Access.RUN_CONTROL in spec.access), key
    docs = _actions(_policy_statements(synthesized, "rest.docs"))
    assert docs == {"logs:CreateLogStream", "logs:PutLogEvents"}


def test_state_machine_may_invoke_exactly_its_three_functions(synthesized: Synthesized) -> None:
    (machine,) = synthesized.resources("AWS::StepFunctions::StateMachine").values()
    role = machine["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    invoke = [
        s
        for p in synthesized.resources("AWS::IAM::Policy").values()
        if {"Ref": role} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s["Action"] == "lambda:InvokeFunction"
    ]
    assert len(invoke) == 1
    assert sorted(r["Fn::GetAtt"][0] for r in invoke[0]["Resource"]) == sorted(
        _logical_id(synthesized, k) for k in ("graph_run.plan", "graph_run.run_node", "graph_run.finalize")
    )


def test_value_bucket_is_encrypted_tls_only_versioned_with_lifecycle(template: Any) -> None:
    from aws_cdk.assertions import Match

    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketEncryption": Match.object_like({"ServerSideEncryptionConfiguration": Match.any_value()}),
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "VersioningConfiguration": {"Status": "Enabled"},
            "LifecycleConfiguration": {
                "Rules": Match.array_with(
                    [Match.object_like({"AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}})]
                )
            },
            "LoggingConfiguration": Match.object_like({"LogFilePrefix": "values/"}),
        },
    )
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                        )
                    ]
                )
            }
        },
    )


def test_credentials_key_rotates(template: Any) -> None:
    template.resource_count_is("AWS::KMS::Key", 1)
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_schedule_group_and_its_role(template: Any) -> None:
    from aws_cdk.assertions import Match

    template.has_resource_properties("AWS::Scheduler::ScheduleGroup", {"Name": "AgentPlatform-schedules"})
    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [Match.object_like({"Principal": {"Service": "scheduler.amazonaws.com"}})]
            }
        },
    )


def test_scheduler_role_may_invoke_only_the_run_function_and_dead_letter(synthesized: Synthesized) -> None:
    roles = [
        name
        for name, role in synthesized.resources("AWS::IAM::Role").items()
        if role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"].get("Service")
        == "scheduler.amazonaws.com"
    ]
    # The platform's role (for graph schedules); the notifications tasks' own role may
    # only send to their queue (tests/infra/test_notifications_stack.py).
    schedules_env = _functions(synthesized)["rest.schedules"]["Environment"]["Variables"]
    role = schedules_env["SCHEDULER_ROLE_ARN"]["Fn::GetAtt"][0]
    task_roles = {
        schedule["Properties"]["Target"]["RoleArn"]["Fn::GetAtt"][0]
        for schedule in synthesized.resources("AWS::Scheduler::Schedule").values()
    }
    assert set(roles) == {role} | task_roles and role not in task_roles
    statements = [
        statement
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    sqs_send = {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}  # grant_send_messages
    assert _actions(statements) == {"lambda:InvokeFunction"} | sqs_send
    (invoke,) = [s for s in statements if s["Action"] == "lambda:InvokeFunction"]
    assert invoke["Resource"] == {"Fn::GetAtt": [_logical_id(synthesized, "schedules.run"), "Arn"]}


def test_only_the_schedule_apis_manage_schedules_and_pass_the_role(synthesized: Synthesized) -> None:
    managing = {"scheduler:CreateSchedule", "iam:PassRole"}
    for key in SPECS:
        actions = _actions(_policy_statements(synthesized, key))
        scheduler_actions = {a for a in actions if a.startswith("scheduler:")}
        if key in ("rest.schedules", "rest.external"):  # external: tools/run-agent schedules
            assert managing <= actions, key
        elif key in ("rest.graphs", "schedules.run"):  # stop the schedules of a deleted graph
            assert scheduler_actions == {"scheduler:DeleteSchedule"}, key
            assert "iam:PassRole" not in actions, key
        else:
            assert not scheduler_actions and "iam:PassRole" not in actions, key
    env = _functions(synthesized)["rest.schedules"]["Environment"]["Variables"]
    assert env["SCHEDULE_TARGET_ARN"] == {"Fn::GetAtt": [_logical_id(synthesized, "schedules.run"), "Arn"]}
    assert set(env) >= {"SCHEDULE_GROUP_NAME", "SCHEDULER_ROLE_ARN", "SCHEDULE_DLQ_ARN"}
    for key in ("rest.graphs", "schedules.run"):
        assert "SCHEDULE_GROUP_NAME" in _functions(synthesized)[key]["Environment"]["Variables"], key


def test_alarms_cover_api_functions_runs_and_dead_letters(synthesized: Synthesized, template: Any) -> None:
    alarms = synthesized.resources("AWS::CloudWatch::Alarm").values()
    metrics = sorted(a["Properties"].get("MetricName", "") for a in alarms)
    assert metrics.count("5XXError") == 1
    assert metrics.count("Errors") == len(SPECS)
    assert metrics.count("Throttles") == len(SPECS)
    assert metrics.count("ExecutionsFailed") == 1
    assert metrics.count("ApproximateNumberOfMessagesVisible") == 3  # stream, async, notifications DLQs
    assert all(a["Properties"]["AlarmActions"] for a in alarms)
    template.resource_count_is("AWS::CloudWatch::Dashboard", 1)


def test_outputs(synthesized: Synthesized) -> None:
    assert set(synthesized.template["Outputs"]) >= {
        "RestApiUrl",
        "WebSocketUrl",
        "TableName",
        "ValuesBucketName",
        "StateMachineArn",
        "CredentialsKeyArn",
        "ScheduleGroupName",
    }


def test_without_snap_start_callers_invoke_the_functions_themselves(synthesized: Synthesized) -> None:
    functions = synthesized.resources("AWS::Lambda::Function").values()
    assert all("SnapStart" not in f["Properties"] for f in functions)
    assert synthesized.resources("AWS::Lambda::Version") == {}
    assert synthesized.resources("AWS::Lambda::Alias") == {}


def test_credits_are_off_by_default_in_every_function(synthesized: Synthesized) -> None:
    for function in synthesized.resources("AWS::Lambda::Function").values():
        assert function["Properties"]["Environment"]["Variables"]["ENABLE_CREDIT"] == "false"
