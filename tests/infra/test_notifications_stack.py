"""Notifications in the synthesized stack: the queue and its consumer, who may send to
it (producers: SendMessage on that queue only), the schedules, and SES scoped to the
configured identity."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentplatform.notifications.schedules import SCHEDULES
from infra_cdk.catalog import Access, all_functions
from tests.infra.conftest import VARIANT_CONTEXT, Synthesized, references

pytestmark = pytest.mark.infra

SPECS = {spec.key: spec for spec in all_functions(300)}
PRODUCERS = {key for key, spec in SPECS.items() if Access.NOTIFY in spec.access}


def _queue(synthesized: Synthesized) -> tuple[str, dict[str, Any]]:
    """The notifications queue: the one the consumer's event source mapping reads."""
    consumer = _function_id(synthesized, "notifications.consumer")
    aliases = synthesized.resources("AWS::Lambda::Alias")  # under SnapStart: the live alias
    invoked = {consumer} | {
        a for a, r in aliases.items() if r["Properties"]["FunctionName"] == {"Ref": consumer}
    }
    for mapping in synthesized.resources("AWS::Lambda::EventSourceMapping").values():
        if references(mapping["Properties"]["FunctionName"]) & invoked:
            logical = mapping["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]
            return logical, synthesized.template["Resources"][logical]
    raise AssertionError("the consumer reads no queue")


def _function_id(synthesized: Synthesized, key: str) -> str:
    for logical, resource in synthesized.resources("AWS::Lambda::Function").items():
        if resource["Properties"]["Handler"] == f"{key}.handler":
            return logical
    raise AssertionError(f"no function for {key}")


def _statements_of_role(synthesized: Synthesized, role: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _function_statements(synthesized: Synthesized, key: str) -> list[dict[str, Any]]:
    function = synthesized.template["Resources"][_function_id(synthesized, key)]
    return _statements_of_role(synthesized, function["Properties"]["Role"]["Fn::GetAtt"][0])


def _actions(statement: dict[str, Any]) -> list[str]:
    value = statement["Action"]
    return [value] if isinstance(value, str) else list(value)


def test_the_queue_is_encrypted_and_parks_poison_messages_in_a_dlq(synthesized: Synthesized) -> None:
    _, queue = _queue(synthesized)
    props = queue["Properties"]
    assert props["SqsManagedSseEnabled"] is True
    assert props["VisibilityTimeout"] == 360  # six times the consumer's 60 s
    dlq = props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
    assert props["RedrivePolicy"]["maxReceiveCount"] == 5
    assert synthesized.template["Resources"][dlq]["Type"] == "AWS::SQS::Queue"


def test_the_consumer_reads_it_in_batches_with_partial_failures(synthesized: Synthesized) -> None:
    consumer = _function_id(synthesized, "notifications.consumer")
    (mapping,) = [
        m
        for m in synthesized.resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": consumer}
    ]
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["Properties"]["BatchSize"] == 10


def test_producers_may_send_to_the_queue_and_nothing_else_may(synthesized: Synthesized) -> None:
    queue, _ = _queue(synthesized)
    queue_arn = {"Fn::GetAtt": [queue, "Arn"]}
    senders = set()
    for key in SPECS:
        for statement in _function_statements(synthesized, key):
            if statement["Resource"] == queue_arn and "sqs:SendMessage" in _actions(statement):
                assert _actions(statement) == ["sqs:SendMessage"], key
                senders.add(key)
    assert (
        senders
        == PRODUCERS
        == {
            "graph_run.finalize",
            "graph_run.reconcile",  # ends lost runs through finalize
            "graph_run.run_node",
            "rest.credits",
            "rest.store",  # an admin's review tells the creator
            "notifications.consumer",
        }
    )
    for resource in synthesized.resources("AWS::Lambda::Function").values():
        handler = resource["Properties"]["Handler"].rsplit(".", 1)[0]
        env = resource["Properties"]["Environment"]["Variables"]
        assert ("NOTIFICATIONS_QUEUE_URL" in env) is (handler in PRODUCERS), handler


def test_the_scheduled_tasks_are_sent_to_the_queue_in_utc(synthesized: Synthesized) -> None:
    queue, _ = _queue(synthesized)
    schedules = list(synthesized.resources("AWS::Scheduler::Schedule").values())
    found = {s["Properties"]["ScheduleExpression"]: s["Properties"] for s in schedules}
    assert set(found) == {task.expression for task in SCHEDULES}
    for task in SCHEDULES:
        props = found[task.expression]
        assert props["ScheduleExpressionTimezone"] == "Etc/UTC"
        assert props["Target"]["Arn"] == {"Fn::GetAtt": [queue, "Arn"]}
        assert json.loads(props["Target"]["Input"]) == task.message.model_dump(mode="json")
        role = props["Target"]["RoleArn"]["Fn::GetAtt"][0]
        statements = _statements_of_role(synthesized, role)
        assert [(s["Action"], s["Resource"]) for s in statements] == [
            ("sqs:SendMessage", {"Fn::GetAtt": [queue, "Arn"]})
        ]


def test_without_an_ses_identity_no_mail_is_sent_and_no_ses_permission_exists(
    synthesized: Synthesized,
) -> None:
    consumer = synthesized.template["Resources"][_function_id(synthesized, "notifications.consumer")]
    env = consumer["Properties"]["Environment"]["Variables"]
    assert env["EMAIL_TRANSPORT"] == "none"
    assert "PLATFORM_BASE_URL" in env  # unsubscribe links point at the REST API
    every = [s for key in SPECS for s in _function_statements(synthesized, key)]
    assert not [s for s in every if any(a.startswith("ses:") for a in _actions(s))]


def test_with_an_identity_mail_goes_through_it_only_and_feedback_comes_back_to_the_queue(
    variant: Synthesized,
) -> None:
    consumer = variant.template["Resources"][_function_id(variant, "notifications.consumer")]
    env = consumer["Properties"]["Environment"]["Variables"]
    assert env["EMAIL_TRANSPORT"] == "ses"
    assert env["EMAIL_FROM_ADDRESS"] == "AutoGPT Platform <noreply@example.com>"
    assert env["REFUND_NOTIFICATION_EMAIL"] == VARIANT_CONTEXT["refund_notification_email"]
    (set_name,) = variant.resources("AWS::SES::ConfigurationSet")
    assert env["SES_CONFIGURATION_SET"] == {"Ref": set_name}

    ses = [
        (key, s)
        for key in SPECS
        for s in _function_statements(variant, key)
        if any(a.startswith("ses:") for a in _actions(s))
    ]
    assert [key for key, _ in ses] == ["notifications.consumer"]
    statement = ses[0][1]
    assert sorted(_actions(statement)) == ["ses:SendEmail", "ses:SendRawEmail"]
    resources = json.dumps(statement["Resource"])
    assert "identity/example.com" in resources and "configuration-set/" in resources
    assert "*" not in resources

    (destination,) = variant.resources("AWS::SES::ConfigurationSetEventDestination").values()
    spec = destination["Properties"]["EventDestination"]
    assert sorted(spec["MatchingEventTypes"]) == ["bounce", "complaint"]
    (rule,) = [
        r for r in variant.resources("AWS::Events::Rule").values() if "aws.ses" in json.dumps(r["Properties"])
    ]
    assert rule["Properties"]["EventPattern"] == {
        "source": ["aws.ses"],
        "detail-type": ["Email Bounced", "Email Complaint Received"],
    }
    queue, _ = _queue(variant)
    assert rule["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [queue, "Arn"]}
