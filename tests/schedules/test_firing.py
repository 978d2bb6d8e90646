"""Firing: the local cloud fires due schedules through the ``schedules.run`` handler, which
starts one run per firing as the owner, and refuses (and deletes) stale schedules."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agentplatform.aws import client
from agentplatform.config import get_settings
from functions.schedules.run import handler
from local.lambdas import invoke
from local.schedules import POLL_SECONDS, LocalScheduler
from tests.support.graphs import input_store_output_graph
from tests.support.runs import create_graph, wait_for


class FakeClock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _schedule(api: Any, graph: dict[str, Any], cron: str = "*/5 * * * *", **extra: Any) -> dict[str, Any]:
    body = {"name": "Every five", "cron": cron, "inputs": {"x": "hello"}, **extra}
    response = api.post(f"/api/graphs/{graph['id']}/schedules", json_body=body)
    assert response.status_code == 200, response.content
    return response.json()


def _next_five_minutes(now: datetime) -> datetime:
    return (now + timedelta(minutes=5 - now.minute % 5)).replace(second=0, microsecond=0)


def _runs(api: Any) -> list[dict[str, Any]]:
    response = api.get("/api/executions")
    assert response.status_code == 200
    return response.json()


def _scheduler_names() -> list[str]:
    listed = client("scheduler").list_schedules(GroupName=get_settings().schedule_group_name)
    return [schedule["Name"] for schedule in listed["Schedules"]]


def _fire(schedule_id: str, user_id: str, at: str = "2025-03-09T13:00:00Z") -> Any:
    return invoke(handler, {"user_id": user_id, "schedule_id": schedule_id, "scheduled_time": at})


def test_a_due_schedule_starts_one_run_with_its_inputs(api: Any) -> None:
    graph = create_graph(api, input_store_output_graph())
    info = _schedule(api, graph)
    clock = FakeClock(datetime.now(UTC))
    scheduler = LocalScheduler(clock=clock)
    due = _next_five_minutes(clock.now)

    clock.now = due - timedelta(seconds=1)
    assert scheduler.poll_once() == []
    clock.now = due + timedelta(seconds=1)
    assert scheduler.poll_once() == [(info["id"], due)]
    assert scheduler.poll_once() == []

    (run,) = _runs(api)
    assert (run["graph_id"], run["graph_version"], run["inputs"]) == (graph["id"], 1, {"x": "hello"})
    finished = wait_for(api, graph["id"], run["id"])
    assert (finished["status"], finished["outputs"]) == ("COMPLETED", {"y": ["hello"]})


def test_fires_within_a_minute_of_the_due_time(cloud: object) -> None:
    """The poll loop's clock is simulated: every poll is ``POLL_SECONDS`` after the last."""
    fired_at: list[tuple[datetime, datetime]] = []
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1, seconds=30)
    clock = FakeClock(start)
    scheduler = LocalScheduler(clock=clock, fire=lambda event: fired_at.append((clock.now, event)))
    client("scheduler").create_schedule(
        Name="every-minute",
        GroupName=get_settings().schedule_group_name,
        ScheduleExpression="cron(* * * * ? *)",
        ScheduleExpressionTimezone="America/New_York",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": "arn:aws:lambda:us-east-1:123456789012:function:x",
            "RoleArn": "arn:aws:iam::123456789012:role/x",
            "Input": '{"scheduled_time": "<aws.scheduler.scheduled-time>"}',
        },
    )
    scheduler.started_at = clock.now
    for _ in range(40):  # 400 simulated seconds: 7 whole minutes come due
        clock.now += timedelta(seconds=POLL_SECONDS)
        scheduler.poll_once()

    dues = [datetime.fromisoformat(event["scheduled_time"].replace("Z", "+00:00")) for _, event in fired_at]
    assert dues == [start + timedelta(seconds=30 + 60 * minute) for minute in range(7)]
    assert all(timedelta(0) <= at - due < timedelta(minutes=1) for (at, _), due in zip(fired_at, dues, strict=True))


def test_the_poll_thread_fires_and_stops(api: Any) -> None:
    graph = create_graph(api, input_store_output_graph())
    info = _schedule(api, graph)
    fired = threading.Event()
    events: list[dict[str, Any]] = []

    def fire(event: dict[str, Any]) -> None:
        events.append(event)
        fired.set()

    clock = FakeClock(datetime.now(UTC))
    scheduler = LocalScheduler(clock=clock, poll_seconds=0.01, fire=fire)
    clock.now = _next_five_minutes(clock.now) + timedelta(seconds=1)
    scheduler.start()
    try:
        assert fired.wait(timeout=30), "the poll thread never fired"
    finally:
        scheduler.stop()
    assert events[0]["schedule_id"] == info["id"]


def test_a_redelivered_firing_starts_no_second_run(api: Any) -> None:
    graph = create_graph(api, input_store_output_graph())
    info = _schedule(api, graph)

    first = _fire(info["id"], info["user_id"])
    second = _fire(info["id"], info["user_id"])
    later = _fire(info["id"], info["user_id"], at="2025-03-09T13:05:00Z")

    assert first["status"] == "started"
    assert second == {"status": "duplicate", "graph_exec_id": first["graph_exec_id"]}
    assert later["status"] == "started" and later["graph_exec_id"] != first["graph_exec_id"]
    assert sorted(run["id"] for run in _runs(api)) == sorted([first["graph_exec_id"], later["graph_exec_id"]])


def test_a_stale_schedule_is_refused_and_deleted(api: Any) -> None:
    """Its item is gone (say the process died between the two deletes): the target stops it."""
    from agentplatform.store.schedules import ScheduleRepository

    graph = create_graph(api, input_store_output_graph())
    info = _schedule(api, graph)
    ScheduleRepository().delete(info["user_id"], info["id"])

    result = _fire(info["id"], info["user_id"])

    assert result == {"status": "deleted", "reason": "schedule not found"}
    assert _scheduler_names() == []
    assert _runs(api) == []


def test_a_schedule_whose_graph_is_gone_stops(api: Any) -> None:
    """The graph went without its schedules (an older deployment): the target deletes them."""
    from agentplatform.store.graphs import GraphRepository

    graph = create_graph(api, input_store_output_graph())
    info = _schedule(api, graph)
    GraphRepository().delete(info["user_id"], graph["id"])

    result = _fire(info["id"], info["user_id"])

    assert result == {"status": "deleted", "reason": "graph not available"}
    assert api.get("/api/schedules").json() == []
    assert _scheduler_names() == []
    assert _runs(api) == []


def test_schedules_survive_a_local_cloud_restart(api: Any, tmp_path: Path) -> None:
    graph = create_graph(api, input_store_output_graph())
    info = _schedule(api, graph)
    LocalScheduler(tmp_path).poll_once()  # saves the group's schedules
    client("scheduler").delete_schedule(Name=info["id"], GroupName=get_settings().schedule_group_name)

    assert LocalScheduler(tmp_path).restore() == 1
    assert _scheduler_names() == [info["id"]]


@pytest.mark.parametrize("missing", ["SCHEDULE_GROUP_NAME", "SCHEDULE_TARGET_ARN"])
def test_unconfigured_schedules_answer_503(api: Any, monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    graph = create_graph(api, input_store_output_graph())
    monkeypatch.setenv(missing, "")
    get_settings.cache_clear()
    try:
        response = api.post(
            f"/api/graphs/{graph['id']}/schedules", json_body={"name": "n", "cron": "0 9 * * *", "inputs": {}}
        )
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert response.status_code == 503
    assert missing in response.json()["detail"]
