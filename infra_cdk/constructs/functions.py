"""Every Lambda of the platform: one code asset, one core layer, one role and log group each.

The code asset is the whole ``functions/`` directory (handlers are ``<package>.<module>.handler``);
``agentplatform`` and its dependencies come from the layer (see ``infra_cdk.bundling``).
When bundling, both carry bytecode for the runtime if a CPython 3.12 is found here
(``infra_cdk.bytecode``); otherwise synthesis warns once and they ship source only.

With SnapStart (context ``snap_start``) each function publishes a version per change and
a ``live`` alias points at it: everything that invokes a function (API Gateway, Step
Functions, the stream mapping, the scheduler) must use ``invoked[key]``, the alias, since
``$LATEST`` never runs from a snapshot. Without it ``invoked[key]`` is the function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra_cdk import bytecode
from infra_cdk.bundling import function_code, layer_code
from infra_cdk.catalog import Access, FunctionSpec, Kind
from infra_cdk.config import PlatformConfig
from infra_cdk.constructs.access import Targets, grant
from infra_cdk.constructs.log_groups import log_group
from infra_cdk.nag import acknowledge, acknowledge_wildcard

RUNTIME = lambda_.Runtime.PYTHON_3_12
ASYNC_RETRIES = 2
ASYNC_MAX_AGE = Duration.hours(6)
LIVE_ALIAS = "live"


@dataclass(frozen=True)
class Settings:
    """Environment values that are not derived from a function's access."""

    common: Mapping[str, str]  # every function
    auth: Mapping[str, str]  # functions that verify user tokens
    rest: Mapping[str, str]  # REST functions
    outbound: Mapping[str, str]  # functions that run blocks (outgoing requests)
    schedules: Mapping[str, str]  # functions that manage schedules
    notify: Mapping[str, str] = field(default_factory=dict)  # notification producers
    mail: Mapping[str, str] = field(default_factory=dict)  # functions that send email


def service_poll_budget(timeout_seconds: int) -> int:
    """How long a block may wait on a service's job in a function with this timeout: what
    is left after the runner's 60 s batch budget and a minute for the last requests, but
    at least a third of the timeout (REST functions run one block). See the ADR on
    service jobs."""
    return max(timeout_seconds - 120, timeout_seconds // 3)


def environment(
    spec: FunctionSpec, settings: Settings, targets: Targets, callback_url: str
) -> dict[str, str]:
    env = dict(settings.common)
    if spec.verifies_tokens:
        env.update(settings.auth)
    if spec.kind is Kind.REST:
        env.update(settings.rest)
    if spec.access & {Access.RUN_START, Access.RUN_CONTROL}:
        env["STATE_MACHINE_ARN"] = targets.state_machine_arn
    if spec.access & {Access.CREDENTIALS_ENCRYPT, Access.CREDENTIALS_DECRYPT}:
        env["CREDENTIALS_KMS_KEY_ID"] = targets.credentials_key.key_arn
    if spec.runs_blocks or spec.outbound:
        env.update(settings.outbound)
    if spec.runs_blocks:
        env["SERVICE_POLL_TIMEOUT_SECONDS"] = str(service_poll_budget(spec.timeout_seconds))
    if Access.PLATFORM_SECRETS in spec.access and targets.platform_secrets_arn:
        env["PLATFORM_SECRETS_ARN"] = targets.platform_secrets_arn
    if Access.WEBSOCKET_POST in spec.access:
        env["WEBSOCKET_CALLBACK_URL"] = callback_url
    if spec.access & {Access.SCHEDULES, Access.SCHEDULES_DELETE}:
        env.update(settings.schedules)
    if Access.NOTIFY in spec.access:
        env.update(settings.notify)
    if Access.SEND_EMAIL in spec.access:
        env.update(settings.mail)
    return env


class PlatformFunctions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PlatformConfig,
        specs: Iterable[FunctionSpec],
        targets: Targets,
        settings: Settings,
        callback_url: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        self._targets = targets
        interpreter = bytecode.find_interpreter() if config.bundle else None
        if config.bundle and interpreter is None:
            bytecode.warn_without_bytecode()
        self.layer = lambda_.LayerVersion(
            self,
            "CoreLayer",
            code=layer_code(bundle=config.bundle, interpreter=interpreter),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[lambda_.Architecture.ARM_64],
            description="agentplatform and its runtime dependencies",
        )
        self.code = function_code(interpreter)
        self.async_failures = sqs.Queue(
            self,
            "AsyncFailures",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        acknowledge(
            self.async_failures,
            "AwsSolutions-SQS3",
            "This queue is itself the on-failure destination of asynchronous invocations.",
        )
        self.by_key: dict[str, lambda_.Function] = {}
        self.invoked: dict[str, lambda_.IFunction] = {}
        self.specs: dict[str, FunctionSpec] = {}
        for spec in specs:
            env = environment(spec, settings, targets, callback_url)
            function = self._function(spec, env)
            self.by_key[spec.key] = function
            self.invoked[spec.key] = self._live_alias(spec, function) if config.snap_start else function
            if spec.async_invocations:
                self.invoked[spec.key].configure_async_invoke(
                    on_failure=destinations.SqsDestination(self.async_failures),
                    retry_attempts=ASYNC_RETRIES,
                    max_event_age=ASYNC_MAX_AGE,
                )
            self.specs[spec.key] = spec
        self._acknowledge_common()

    def _function(self, spec: FunctionSpec, env: dict[str, str]) -> lambda_.Function:
        cid = spec.construct_id
        role = iam.Role(
            self,
            f"{cid}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Least privilege for {spec.handler}",
        )
        logs = log_group(self, f"{cid}Logs", self._config)
        logs.grant_write(role)
        grant(role, spec.access, self._targets)
        function = lambda_.Function(
            self,
            cid,
            description=f"agentplatform {spec.handler}",
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            code=self.code,
            handler=spec.handler,
            layers=[self.layer],
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_seconds),
            environment=env,
            role=role,
            log_group=logs,
            tracing=lambda_.Tracing.ACTIVE if self._config.tracing else lambda_.Tracing.DISABLED,
            reserved_concurrent_executions=self._config.reserved_concurrency.get(spec.key),
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if self._config.snap_start else None,
            # A replaced version is deleted: each one keeps a snapshot cached, and billed.
            current_version_options=lambda_.VersionOptions(removal_policy=RemovalPolicy.DESTROY),
        )
        return function

    def _live_alias(self, spec: FunctionSpec, function: lambda_.Function) -> lambda_.Alias:
        """The alias callers invoke: the version published (and snapshotted) by this deployment."""
        return lambda_.Alias(
            self, f"{spec.construct_id}Live", alias_name=LIVE_ALIAS, version=function.current_version
        )

    def _acknowledge_common(self) -> None:
        acknowledge(
            self,
            "AwsSolutions-L1",
            "python3.12 is the platform's pinned runtime: the core layer is built for CPython 3.12 wheels.",
        )
        if self._config.tracing:
            acknowledge(
                self,
                "AwsSolutions-IAM5[Resource::*]",
                "X-Ray's PutTraceSegments/PutTelemetryRecords support no resource-level permissions.",
            )
        targets = self._targets
        wildcards = {
            f"{targets.table.table_arn}/index/*": "Queries on the table's own GSIs (gsi1-gsi4) only.",
            targets.bucket.arn_for_objects("*"): "Objects of the platform's value bucket only; "
            "keys are run and node ids created at run time.",
            targets.execution_arns: "Executions of the graph-run state machine only; "
            "they are named after graph execution ids at run time.",
            targets.connections_arn: "Connections of the platform's WebSocket stage only; "
            "connection ids exist only at run time.",
            targets.schedules_arn: "Schedules in the platform's schedule group only; "
            "one per user schedule, created at run time.",
        }
        for media_arn in targets.media_arns:
            wildcards[media_arn] = "One public-media prefix of the media bucket only; "
            "files are named by user or app and a random id at upload time."
        for resource, reason in wildcards.items():
            acknowledge_wildcard(self, resource, reason)
