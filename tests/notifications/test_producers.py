"""Producers on real runs and charges: the engine (finalize, charging) and credits put
upstream-shaped events on the queue, once per thing that happened, and nothing at all
when notifications are off."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import USER_ID
from tests.support.graphs import AGENT_INPUT, input_store_output_graph, link, node
from tests.support.marketplace import fresh_store_index  # noqa: F401  (autouse: reviews publish the index)
from tests.support.notifications import EMAIL, outbox, set_preference, settled
from tests.support.runs import GET_LIST_ITEM, create_graph, execute, wait_for


def _run(api: Any, graph: dict[str, Any], inputs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    created = create_graph(api, graph)
    return created, _finish(api, created, inputs)


def _finish(api: Any, created: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    started = execute(api, created, inputs)
    run = wait_for(api, created["id"], started["id"])
    settled(run["id"])
    return run


def _queued(notifications: Any) -> list[dict[str, Any]]:
    """The events waiting on the queue (left there: the messages come back later)."""
    import json

    from agentplatform.aws import client

    received = (
        client("sqs")
        .receive_message(QueueUrl=notifications.queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        .get("Messages", [])
    )
    return [json.loads(m["Body"])["event"] for m in received]


def test_a_finished_run_sends_one_agent_run_notification_with_upstreams_shape(
    api, notifications, users, sockets
):
    created, run = _run(api, input_store_output_graph("Echo"), {"x": "hi"})
    assert run["status"] == "COMPLETED"
    notifications.drain()

    [message] = sockets[0].messages()
    assert message["method"] == "notification"
    body = message["data"]
    assert (body["type"], body["event"], body["id"]) == (
        "notification",
        "AGENT_RUN",
        f"AGENT_RUN:{run['id']}",
    )
    data = body["data"]
    assert data == {
        "agent_name": "Echo",
        "credits_used": 0.0,
        "execution_time": data["execution_time"],
        "node_count": 3,
        "graph_id": created["id"],
        "outputs": [{"output": ["hi"], "name": "y"}],
        "execution_id": run["id"],
        "status": "COMPLETED",
    }
    assert data["execution_time"] > 0
    assert sockets[1].messages() == []  # the other user's socket


def test_a_failed_node_also_sends_block_execution_failed(api, notifications, users, sockets):
    graph = {
        "name": "Out of range",
        "nodes": [node("in", AGENT_INPUT, name="x"), node("get", GET_LIST_ITEM, index=5)],
        "links": [link("in", "result", "get", "list")],
    }
    created, run = _run(api, graph, {"x": [1, 2]})
    assert run["stats"]["node_error_count"] == 1
    notifications.drain()

    events = {m["data"]["event"]: m["data"] for m in sockets[0].messages()}
    assert sorted(events) == ["AGENT_RUN", "BLOCK_EXECUTION_FAILED"]
    failed_node = next(n for n in run["node_executions"] if n["status"] == "FAILED")
    failed = events["BLOCK_EXECUTION_FAILED"]
    assert failed["id"] == f"BLOCK_EXECUTION_FAILED:{failed_node['node_exec_id']}"
    assert failed["data"] == {
        "block_name": "GetListItemBlock",
        "block_id": GET_LIST_ITEM,
        "error_message": failed_node["output_data"]["error"][0],
        "graph_id": created["id"],
        "node_id": failed_node["node_id"],
        "execution_id": run["id"],
        "node_exec_id": failed_node["node_exec_id"],
    }


def test_finalize_run_again_publishes_the_same_event_and_it_is_delivered_once(
    api, notifications, users, sockets
):
    from agentplatform.engine.finalizer import finalize
    from agentplatform.store.executions import RunRef

    _, run = _run(api, input_store_output_graph(), {"x": 1})
    finalize(RunRef(USER_ID, run["id"]))  # a Step Functions retry of finalize
    assert notifications.drain() == 2

    assert [m["data"]["event"] for m in sockets[0].messages()] == ["AGENT_RUN"]


def test_a_run_the_reconciler_ends_notifies_once_as_failed(api, notifications, users, sockets, monkeypatch):
    from agentplatform.config import get_settings
    from agentplatform.engine import launcher
    from local.reconciler import ReconcilerTimer

    created = create_graph(api, input_store_output_graph())
    with monkeypatch.context() as patched:
        patched.setattr(launcher, "start", lambda *args, **kwargs: None)  # its execution is lost
        started = execute(api, created, {"x": 1})
    monkeypatch.setenv("RECONCILE_GRACE_SECONDS", "0")
    get_settings.cache_clear()

    ReconcilerTimer(interval_seconds=3600).run_once()
    ReconcilerTimer(interval_seconds=3600).run_once()  # an ended run is left alone
    notifications.drain()

    [message] = sockets[0].messages()
    assert (message["data"]["id"], message["data"]["data"]["status"]) == (
        f"AGENT_RUN:{started['id']}",
        "FAILED",
    )


def test_with_the_preference_off_a_run_notifies_nothing(api, notifications, users, sockets):
    from agentplatform.models.user import NotificationType
    from agentplatform.notifications.service import NotificationService
    from tests.support.notifications import later

    set_preference(USER_ID, EMAIL, AGENT_RUN=False)
    _run(api, input_store_output_graph(), {"x": 1})
    notifications.drain()
    NotificationService(clock=later(days=2)).flush_batch(USER_ID, NotificationType.AGENT_RUN)

    assert sockets[0].messages() == []
    assert outbox(notifications.outbox) == []


def test_with_notifications_off_producers_publish_nothing(api, cloud, monkeypatch):
    from agentplatform.config import get_settings
    from agentplatform.models.user import NotificationType
    from agentplatform.notifications import publish

    monkeypatch.delenv("NOTIFICATIONS_QUEUE_URL", raising=False)
    get_settings.cache_clear()
    assert (
        publish(USER_ID, NotificationType.LOW_BALANCE, {"current_balance": 1, "billing_page_link": "x"})
        is False
    )
    _, run = _run(api, input_store_output_graph(), {"x": 1})  # no queue exists: any send would fail
    assert run["status"] == "COMPLETED"


def test_publish_refuses_data_of_the_wrong_shape(notifications):
    from pydantic import ValidationError

    from agentplatform.models.user import NotificationType
    from agentplatform.notifications import publish

    with pytest.raises(ValidationError):
        publish(USER_ID, NotificationType.AGENT_APPROVED, {"agent_name": "only a name"})


# --------------------------------------------------------------------- credits


@pytest.fixture
def credits_on(monkeypatch: pytest.MonkeyPatch) -> Any:
    from agentplatform.config import get_settings
    from agentplatform.engine import charging

    monkeypatch.setenv("ENABLE_CREDIT", "true")
    monkeypatch.setenv("ENABLE_BETA_MONTHLY_CREDIT", "false")
    get_settings.cache_clear()
    charging._snapshots.clear()
    yield
    charging._snapshots.clear()


@pytest.fixture
def priced(monkeypatch: pytest.MonkeyPatch) -> None:
    """StoreValue costs 300 credits per run."""
    from agentplatform.blocks.block import BlockCost
    from agentplatform.blocks.registry import get_block
    from tests.support.graphs import STORE_VALUE

    block = get_block(STORE_VALUE)
    monkeypatch.setattr(block, "costs", [BlockCost(cost_amount=300)])


def _grant(admin_api: Any, user_id: str, amount: int) -> None:
    response = admin_api.post(
        "/api/credits/admin/add_credits", json_body={"user_id": user_id, "amount": amount, "comments": "test"}
    )
    assert response.status_code == 200, response.content


def test_a_charge_crossing_the_low_balance_threshold_notifies_once(
    api, admin_api, notifications, users, credits_on, priced
):
    _grant(admin_api, USER_ID, 700)  # 700 -> 400: crosses 500
    _run(api, input_store_output_graph(), {"x": 1})
    _run(api, input_store_output_graph(), {"x": 1})  # 400 -> 100: already below, no new warning
    events = [e for e in _queued(notifications) if e["type"] == "LOW_BALANCE"]

    assert [e["data"] for e in events] == [
        {"current_balance": 400, "billing_page_link": "https://app.example.com/profile/credits"}
    ]


def test_a_refused_charge_notifies_zero_balance_once_per_agent_until_the_balance_changes(
    api, admin_api, notifications, users, credits_on, priced
):
    from agentplatform.models.onboarding import OnboardingStep
    from agentplatform.onboarding.service import OnboardingService

    # Running the agent again completes RE_RUN_AGENT, whose reward (100) would change the
    # balance between the runs: it is paid before them instead.
    OnboardingService().complete_step(USER_ID, OnboardingStep.RE_RUN_AGENT)
    _grant(admin_api, USER_ID, 100)
    created, run = _run(api, input_store_output_graph("Poor"), {"x": 1})
    assert run["status"] == "FAILED"
    _finish(api, created, {"x": 2})  # the same agent, the same balance: no second warning
    events = [e for e in _queued(notifications) if e["type"] == "ZERO_BALANCE"]
    notifications.drain()

    assert {e["id"] for e in events} == {f"ZERO_BALANCE:{created['id']}:200"}
    zero = [m for m in outbox(notifications.outbox) if m["Subject"] == "You're out of credits!"]
    assert len(zero) == 1
    assert events[0]["data"] == {
        "agent_name": "Poor",
        "current_balance": 200,
        "billing_page_link": "https://app.example.com/profile/credits",
        "shortfall": 100,
    }


def test_nothing_about_other_users_reaches_a_user(api, other_api, notifications, users, sockets):
    _run(other_api, input_store_output_graph("Theirs"), {"x": 1})
    notifications.drain()

    assert sockets[0].messages() == []
    assert [m["data"]["data"]["agent_name"] for m in sockets[1].messages()] == ["Theirs"]


# ----------------------------------------------------------------- marketplace

REVIEWER_EMAIL = "reviewer@example.com"


@pytest.mark.parametrize("approve", [True, False], ids=["approved", "rejected"])
def test_a_review_tells_the_creator_once_with_upstreams_shape(
    api, admin_api, notifications, users, sockets, approve
):
    from tests.conftest import ADMIN_USER_ID
    from tests.support.marketplace import decide, make_profile, sample_graph, submit
    from tests.support.notifications import text_of, with_email

    graph = create_graph(api, sample_graph("Reviewed agent"))
    make_profile(api, "reviewedcreator")
    version_id = submit(api, graph, "reviewed-agent")["store_listing_version_id"]
    with_email(ADMIN_USER_ID, REVIEWER_EMAIL)
    decided = decide(admin_api, version_id, approve=approve, comments="Clear description")
    notifications.drain()

    kind = "AGENT_APPROVED" if approve else "AGENT_REJECTED"
    [message] = sockets[0].messages()
    body = message["data"]
    assert (body["event"], body["id"]) == (kind, f"{kind}:{version_id}")
    link = (
        {"store_url": "https://app.example.com/marketplace/agent/reviewedcreator/reviewed-agent"}
        if approve
        else {"resubmit_url": f"https://app.example.com/build?flowID={graph['id']}"}
    )
    assert body["data"] == {
        "agent_name": "Reviewed agent",
        "agent_id": graph["id"],
        "agent_version": 1,
        "reviewer_name": "AutoGPT Admin",  # the reviewer has an email but no name on record
        "reviewer_email": REVIEWER_EMAIL,
        "comments": "Clear description",
        "reviewed_at": body["data"]["reviewed_at"],
        **link,
    }
    assert body["data"]["reviewed_at"][:19] == decided["reviewed_at"][:19]
    [mail] = outbox(notifications.outbox)
    assert mail["To"] == EMAIL
    expected = "has been approved!" if approve else "needs some updates"
    assert mail["Subject"] == f"Your agent 'Reviewed agent' {expected}"
    assert next(iter(link.values())) in text_of(mail)
    assert sockets[1].messages() == []
