"""The REST API: an OpenAPI body (see ``infra_cdk.openapi``) on a throttled, logged stage."""

from __future__ import annotations

import json
from collections.abc import Mapping

from aws_cdk import Aws, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_route53_targets as targets
from constructs import Construct

from agentplatform.api.domains import route_table
from infra_cdk import openapi
from infra_cdk.config import PlatformConfig
from infra_cdk.constructs.dns import add_alias
from infra_cdk.constructs.log_groups import log_group
from infra_cdk.nag import acknowledge

# One JSON object per request; no headers, bodies or tokens.
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integration.error",
    "errorMessage": "$context.error.message",
}


def invocation_uri(function: lambda_.IFunction) -> str:
    return (
        f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}:lambda:path/2015-03-31/functions/"
        f"{function.function_arn}/invocations"
    )


class RestApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PlatformConfig,
        domain_functions: Mapping[str, lambda_.IFunction],
    ) -> None:
        super().__init__(scope, construct_id)
        body = openapi.document(
            route_table(),
            lambda domain: invocation_uri(domain_functions[domain]),
            title=f"{Stack.of(self).stack_name} REST API",
            cors_origin=openapi.gateway_error_origin(config.cors_allow_origins),
            binary_media_types=config.binary_media_types,
        )
        access_logs = log_group(self, "AccessLogs", config)
        self.api = apigw.SpecRestApi(
            self,
            "Api",
            rest_api_name=f"{Stack.of(self).stack_name}-rest",
            api_definition=apigw.ApiDefinition.from_inline(body),
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=True,  # execution logging needs the account-level role
            deploy_options=apigw.StageOptions(
                stage_name=config.stage_name,
                throttling_rate_limit=config.api_throttle_rate,
                throttling_burst_limit=config.api_throttle_burst,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FIELDS)),
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # would log request bodies and tokens
                metrics_enabled=True,
                tracing_enabled=config.tracing,
            ),
        )
        # A changed body must produce a new deployment, or the stage keeps serving the old API.
        self.api.latest_deployment.add_to_logical_id(body)  # type: ignore[union-attr]
        source_arn = self.api.arn_for_execute_api(method="*", path="/*", stage=config.stage_name)
        for function in domain_functions.values():
            function.add_permission(
                "RestApiInvoke",
                principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
                source_arn=source_arn,
            )
        self.url = self.api.url
        if config.domain_name:
            self.url = self._custom_domain(config)
        self._acknowledge()

    def _custom_domain(self, config: PlatformConfig) -> str:
        domain = self.api.add_domain_name(
            "CustomDomain",
            domain_name=config.domain_name,
            certificate=acm.Certificate.from_certificate_arn(self, "Certificate", config.certificate_arn),
            endpoint_type=apigw.EndpointType.REGIONAL,
            security_policy=apigw.SecurityPolicy.TLS_1_2,
        )
        add_alias(self, config, config.domain_name, targets.ApiGatewayDomain(domain))
        return f"https://{config.domain_name}/"

    def _acknowledge(self) -> None:
        acknowledge(
            self.api,
            "AwsSolutions-APIG2",
            "Requests are validated by the domain functions (pydantic), which answer the API's own "
            "422 envelope; an API Gateway validator would answer a different shape.",
        )
        acknowledge(
            self.api,
            "AwsSolutions-APIG3",
            "WAF is optional (it costs from ~$6/month); docs/deploy.md shows how to attach a web ACL.",
        )
        acknowledge(
            self.api,
            "AwsSolutions-APIG4",
            "Routes are authorised inside the domain functions: Supabase-style JWTs and API keys, "
            "exactly as AutoGPT clients send them; public routes (health, docs, store) must stay open.",
        )
        acknowledge(
            self.api,
            "AwsSolutions-COG4",
            "Users authenticate with the platform's JWT issuer (Supabase-compatible), not Cognito.",
        )
        acknowledge(
            self.api,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "The AWS-managed policy is the documented way to let API Gateway write execution logs.",
        )
