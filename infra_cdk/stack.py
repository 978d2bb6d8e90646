"""The ``AgentPlatform`` stack: wires the constructs together. No resource is defined here."""

from __future__ import annotations

from typing import Any

from aws_cdk import Aws, CfnOutput, Stack
from constructs import Construct

from agentplatform.store.keys import oauth_app_logo_prefix, store_media_key
from infra_cdk.catalog import Access, Kind, all_functions
from infra_cdk.config import PlatformConfig
from infra_cdk.constructs.access import Targets
from infra_cdk.constructs.events import EventStream
from infra_cdk.constructs.functions import PlatformFunctions, Settings
from infra_cdk.constructs.keys import CredentialsKey
from infra_cdk.constructs.malware_scan import UploadMalwareScan
from infra_cdk.constructs.monitoring import Monitoring
from infra_cdk.constructs.notifications import Notifications
from infra_cdk.constructs.reconciler import RunReconciler
from infra_cdk.constructs.rest_api import RestApi
from infra_cdk.constructs.scheduler import Schedules
from infra_cdk.constructs.state_machine import GraphRunStateMachine, execution_arns, state_machine_arn
from infra_cdk.constructs.storage import ValueStorage
from infra_cdk.constructs.table import PlatformTable
from infra_cdk.constructs.websocket_api import WebSocketApi
from infra_cdk.parameters import jwt_settings

SERVICE_NAME = "agentplatform"
METRICS_NAMESPACE = "AgentPlatform"


class AgentPlatformStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: PlatformConfig, **kwargs: Any) -> None:
        super().__init__(
            scope,
            construct_id,
            description="AutoGPT-compatible agent platform: REST + WebSocket APIs, graph runs, one table",
            **kwargs,
        )
        # CDK's DependsOn lists repeat what Ref/GetAtt already imply; nothing to fix in our code.
        self.template_options.metadata = {"cfn-lint": {"config": {"ignore_checks": ["W3005"]}}}
        table = PlatformTable(self, "Data", config=config).table
        storage = ValueStorage(self, "Storage", config=config)
        key = CredentialsKey(self, "Credentials", config=config).key
        schedules = Schedules(self, "Schedules")
        websocket = WebSocketApi(self, "WebSocket", config=config)
        notifications = Notifications(self, "Notifications", config=config)
        targets = Targets(
            table=table,
            bucket=storage.bucket,
            credentials_key=key,
            state_machine_arn=state_machine_arn(self),
            execution_arns=execution_arns(self),
            connections_arn=websocket.connections_arn,
            schedules_arn=schedules.schedules_arn,
            scheduler_role=schedules.role,
            platform_secrets_arn=config.platform_secrets_arn,
            notifications_queue_arn=notifications.queue.queue_arn,
            email_identity_arn=notifications.identity_arn,
            email_configuration_set_arn=notifications.configuration_set_arn,
            media_arns=_media_arns(config, storage.bucket.bucket_arn),
        )
        if config.malware_protection:
            UploadMalwareScan(self, "UploadMalwareScan", bucket=storage.bucket)
        specs = all_functions(config.run_node_timeout_seconds)
        settings = Settings(
            common={
                "TABLE_NAME": table.table_name,
                "BUCKET_NAME": storage.bucket.bucket_name,
                "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                "LOG_LEVEL": config.log_level,
                "UPLOAD_MALWARE_SCAN": "guardduty" if config.malware_protection else "none",
                "ENABLE_TRACER": "true" if config.tracer else "false",
                **_credit_settings(config),
            },
            auth=jwt_settings(self),
            rest=_rest_settings(config),
            outbound={
                "TRUST_ENDPOINTS_FOR_REQUESTS": ",".join(config.trust_endpoints_for_requests),
                "OUTBOUND_HOST_OVERRIDES": ",".join(config.outbound_host_overrides),
            },
            schedules={
                "SCHEDULE_GROUP_NAME": schedules.group_name,
                "SCHEDULER_ROLE_ARN": schedules.role.role_arn,
            },
            notify=notifications.producer_settings(),
            mail=notifications.mail_settings(),
        )
        functions = PlatformFunctions(
            self,
            "Functions",
            config=config,
            specs=specs,
            targets=targets,
            settings=settings,
            callback_url=websocket.callback_url,
        )
        by_key = functions.by_key
        invoked = functions.invoked  # the live alias under SnapStart, else the function
        websocket.add_routes(
            connect=invoked["websocket.connect"],
            disconnect=invoked["websocket.disconnect"],
            default=invoked["websocket.default"],
        )
        stream = EventStream(self, "EventStream", table=table, function=invoked["events.stream"])
        rest = RestApi(
            self,
            "Rest",
            config=config,
            domain_functions={
                spec.key.split(".", 1)[1]: invoked[spec.key] for spec in specs if spec.kind is Kind.REST
            },
        )
        graph_run = GraphRunStateMachine(
            self,
            "GraphRun",
            config=config,
            plan=invoked["graph_run.plan"],
            run_node=invoked["graph_run.run_node"],
            finalize=invoked["graph_run.finalize"],
        )
        RunReconciler(
            self,
            "Reconciler",
            function=invoked["graph_run.reconcile"],
            interval_minutes=config.reconcile_interval_minutes,
        )
        notifications.consume(invoked["notifications.consumer"])
        # Unsubscribe links need an absolute URL: the configured one, else the REST API's
        # (the consumer is no REST function: no cycle).
        by_key["notifications.consumer"].add_environment(
            "PLATFORM_BASE_URL", settings.rest.get("PLATFORM_BASE_URL") or rest.url
        )
        if "schedules.run" in by_key:
            target_env = schedules.allow_target(invoked["schedules.run"], functions.async_failures)
            for spec in specs:
                if Access.SCHEDULES in spec.access:
                    for name, value in target_env.items():
                        by_key[spec.key].add_environment(name, value)
        monitoring = Monitoring(
            self,
            "Monitoring",
            config=config,
            rest_api=rest.api,
            functions=by_key,
            state_machine=graph_run.machine,
            dead_letter_queues={
                "StreamDLQ": stream.dead_letters,
                "AsyncDLQ": functions.async_failures,
                "NotificationsDLQ": notifications.dead_letters,
            },
        )
        outputs = {
            "RestApiUrl": rest.url,
            "WebSocketUrl": websocket.url,
            "WebSocketCallbackUrl": websocket.callback_url,
            "TableName": table.table_name,
            "ValuesBucketName": storage.bucket.bucket_name,
            "StateMachineArn": graph_run.machine.state_machine_arn,
            "CredentialsKeyArn": key.key_arn,
            "ScheduleGroupName": schedules.group_name,
            "NotificationsQueueUrl": notifications.queue.queue_url,
            "AlarmTopicArn": monitoring.topic.topic_arn,
            "DashboardName": monitoring.dashboard.dashboard_name,
        }
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)


def _rest_settings(config: PlatformConfig) -> dict[str, str]:
    settings = {
        "BACKEND_CORS_ALLOW_ORIGINS": ",".join(config.cors_allow_origins),
        "UPLOAD_FILE_SIZE_LIMIT_MB": str(config.upload_file_size_limit_mb),
    }
    if config.otto_api_url:
        settings["OTTO_API_URL"] = config.otto_api_url
    if config.media_bucket_name:
        settings["MEDIA_BUCKET_NAME"] = config.media_bucket_name
    if config.media_base_url:
        settings["MEDIA_BASE_URL"] = config.media_base_url
    if config.frontend_base_url:
        settings["FRONTEND_BASE_URL"] = config.frontend_base_url
    if config.external_oauth_callback_origins:
        settings["EXTERNAL_OAUTH_CALLBACK_ORIGINS"] = ",".join(config.external_oauth_callback_origins)
    # Not the execute-api URL: the API's body names every function, so a function's
    # environment cannot name the API back (a dependency cycle).
    custom_domain = f"https://{config.domain_name}" if config.domain_name else ""
    if config.platform_base_url or custom_domain:
        settings["PLATFORM_BASE_URL"] = config.platform_base_url or custom_domain
    return settings


def _media_arns(config: PlatformConfig, values_bucket_arn: str) -> tuple[str, ...]:
    """The public-media prefixes (listing media, OAuth app logos) in the media bucket: an
    operator's own (``media_bucket_name``) or else the values bucket."""
    bucket_arn = values_bucket_arn
    if config.media_bucket_name:
        bucket_arn = f"arn:{Aws.PARTITION}:s3:::{config.media_bucket_name}"
    return (f"{bucket_arn}/{store_media_key('*', '*')}", f"{bucket_arn}/{oauth_app_logo_prefix('*')}*")


def _credit_settings(config: PlatformConfig) -> dict[str, str]:
    """Every function reads the same credit settings: the engine charges node executions,
    REST domains read balances and top up, the notifications report them."""
    return {
        "ENABLE_CREDIT": "true" if config.enable_credit else "false",
        "ENABLE_BETA_MONTHLY_CREDIT": "true" if config.enable_beta_monthly_credit else "false",
        "NUM_USER_CREDITS_REFILL": str(config.num_user_credits_refill),
        "REFUND_CREDIT_TOLERANCE_THRESHOLD": str(config.refund_credit_tolerance_threshold),
    }
