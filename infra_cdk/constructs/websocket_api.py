"""The WebSocket API: ``$connect``/``$disconnect``/``$default`` routes, one logged stage.

Messages carry ``{"method": ...}`` as AutoGPT's protocol does, so routes are selected on
``$request.body.method``; every method lands on ``$default``, whose function dispatches.
The API exists before the functions (they need its callback URL); routes come after.
"""

from __future__ import annotations

import json

import jsii
from aws_cdk import Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_route53_targets as targets
from constructs import Construct

from infra_cdk.config import PlatformConfig
from infra_cdk.constructs.dns import add_alias
from infra_cdk.constructs.log_groups import log_group
from infra_cdk.nag import acknowledge

ROUTE_SELECTION = "$request.body.method"
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "eventType": "$context.eventType",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "connectionId": "$context.connectionId",
    "integrationError": "$context.integration.error",
}


class WebSocketApi(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: PlatformConfig) -> None:
        super().__init__(scope, construct_id)
        self.api = apigwv2.WebSocketApi(
            self,
            "Api",
            api_name=f"{Stack.of(self).stack_name}-ws",
            route_selection_expression=ROUTE_SELECTION,
        )
        access_logs = log_group(self, "AccessLogs", config)
        self.stage = apigwv2.WebSocketStage(
            self,
            "Stage",
            web_socket_api=self.api,
            stage_name=config.stage_name,
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(
                rate_limit=config.websocket_throttle_rate, burst_limit=config.websocket_throttle_burst
            ),
            access_log_settings=_AccessLogSettings(apigwv2.LogGroupLogDestination(access_logs)),
        )
        self.callback_url = self.stage.callback_url
        self.url = self.stage.url
        self.connections_arn = Stack.of(self).format_arn(
            service="execute-api",
            resource=self.api.api_id,
            resource_name=f"{config.stage_name}/*/@connections/*",
        )
        if config.websocket_domain_name:
            self.url = self._custom_domain(config)

    def add_routes(
        self, *, connect: lambda_.IFunction, disconnect: lambda_.IFunction, default: lambda_.IFunction
    ) -> None:
        for key, function in (("$connect", connect), ("$disconnect", disconnect), ("$default", default)):
            name = key.strip("$").title()
            route = self.api.add_route(
                key, integration=integrations.WebSocketLambdaIntegration(f"{name}Integration", function)
            )
            acknowledge(
                route,
                "AwsSolutions-APIG4",
                "$connect verifies the AutoGPT token (query string) in its function and refuses the "
                "upgrade without one; later frames ride on that authenticated connection.",
            )

    def _custom_domain(self, config: PlatformConfig) -> str:
        domain = apigwv2.DomainName(
            self,
            "CustomDomain",
            domain_name=config.websocket_domain_name,
            certificate=acm.Certificate.from_certificate_arn(self, "Certificate", config.certificate_arn),
        )
        apigwv2.ApiMapping(self, "Mapping", api=self.api, domain_name=domain, stage=self.stage)
        target = targets.ApiGatewayv2DomainProperties(
            domain.regional_domain_name, domain.regional_hosted_zone_id
        )
        add_alias(self, config, config.websocket_domain_name, target)
        return f"wss://{config.websocket_domain_name}"


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLogSettings:
    def __init__(self, destination: apigwv2.IAccessLogDestination) -> None:
        self._destination = destination

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw.AccessLogFormat:
        return apigw.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FIELDS))
