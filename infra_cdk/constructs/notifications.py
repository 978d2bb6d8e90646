"""Notifications: the queue (and its DLQ) the notifications function consumes, the
schedules that put the hourly flush and the summaries on it, and SES feedback.

Producers get ``sqs:SendMessage`` on the queue only (``Access.NOTIFY``). The consumer
reads it through an event source mapping with partial batch failures; a message that
fails ``MAX_RECEIVES`` times is parked in the DLQ. With an SES identity configured
(context ``ses_identity``), mail goes through a configuration set whose bounce and
complaint events EventBridge puts on the same queue; without one, no mail is sent.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack, TimeZone
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as event_targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as schedule_targets
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from agentplatform.notifications.schedules import SCHEDULES
from infra_cdk.catalog import NOTIFICATIONS_TIMEOUT
from infra_cdk.config import PlatformConfig
from infra_cdk.nag import acknowledge

MAX_RECEIVES = 5
BATCH_SIZE = 10
FEEDBACK_DETAIL_TYPES = ["Email Bounced", "Email Complaint Received"]


class Notifications(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: PlatformConfig) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        acknowledge(self.dead_letters, "AwsSolutions-SQS3", "This queue is the notifications queue's DLQ.")
        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            # AWS's advice for a Lambda event source: six times the function's timeout.
            visibility_timeout=Duration.seconds(6 * NOTIFICATIONS_TIMEOUT),
            retention_period=Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=MAX_RECEIVES, queue=self.dead_letters),
        )
        self._schedule_tasks()
        self.identity_arn = ""
        self.configuration_set_name = ""
        self.configuration_set_arn = ""
        if config.ses_identity:
            self._mail_through(config.ses_identity)

    def _schedule_tasks(self) -> None:
        """EventBridge Scheduler sends each task to the queue (UTC), as the local timer does."""
        for task in SCHEDULES:
            scheduler.Schedule(
                self,
                "".join(part.title() for part in task.name.split("-")),
                description=f"notifications: {task.name}",
                schedule=scheduler.ScheduleExpression.expression(task.expression, TimeZone.ETC_UTC),
                target=schedule_targets.SqsSendMessage(
                    self.queue,
                    input=scheduler.ScheduleTargetInput.from_text(task.message.model_dump_json()),
                    retry_attempts=3,
                ),
            )

    def _mail_through(self, identity: str) -> None:
        stack = Stack.of(self)
        self.identity_arn = stack.format_arn(service="ses", resource="identity", resource_name=identity)
        configuration_set = ses.ConfigurationSet(self, "Mail")
        default_bus = events.EventBus.from_event_bus_name(self, "DefaultBus", "default")
        configuration_set.add_event_destination(
            "Feedback",
            destination=ses.EventDestination.event_bus(default_bus),
            events=[ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
        )
        events.Rule(
            self,
            "FeedbackToQueue",
            description="SES bounces and complaints -> the notifications queue (suppression list)",
            event_pattern=events.EventPattern(source=["aws.ses"], detail_type=FEEDBACK_DETAIL_TYPES),
            targets=[event_targets.SqsQueue(self.queue)],
        )
        self.configuration_set_name = configuration_set.configuration_set_name
        self.configuration_set_arn = stack.format_arn(
            service="ses", resource="configuration-set", resource_name=self.configuration_set_name
        )

    def consume(self, function: lambda_.IFunction) -> None:
        function.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=BATCH_SIZE,
                max_batching_window=Duration.seconds(1),
                report_batch_item_failures=True,
            )
        )

    def producer_settings(self) -> dict[str, str]:
        settings = {"NOTIFICATIONS_QUEUE_URL": self.queue.queue_url}
        if self.config.frontend_base_url:
            settings["FRONTEND_BASE_URL"] = self.config.frontend_base_url
        return settings

    def mail_settings(self) -> dict[str, str]:
        config = self.config
        settings = {"EMAIL_TRANSPORT": "ses" if config.ses_identity else "none"}
        sender = config.email_from_address or _default_sender(config.ses_identity)
        if sender:
            settings["EMAIL_FROM_ADDRESS"] = sender
        if self.configuration_set_name:
            settings["SES_CONFIGURATION_SET"] = self.configuration_set_name
        if config.refund_notification_email:
            settings["REFUND_NOTIFICATION_EMAIL"] = config.refund_notification_email
        return settings


def _default_sender(identity: str) -> str:
    """An address identity sends as itself; a domain identity as noreply@ the domain."""
    if not identity:
        return ""
    return identity if "@" in identity else f"AutoGPT Platform <noreply@{identity}>"
