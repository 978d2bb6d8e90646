"""``/api/graphs/{id}/schedules`` and ``/api/schedules``: EventBridge Scheduler schedules."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from agentplatform.aws import client
from agentplatform.config import get_settings
from tests.conftest import USER_ID
from tests.support.graphs import input_store_output_graph
from tests.support.runs import create_graph

# AutoGPT's GraphExecutionJobInfo, in order.
JOB_INFO_KEYS = [
    "schedule_id",
    "user_id",
    "graph_id",
    "graph_version",
    "agent_name",
    "cron",
    "input_data",
    "input_credentials",
    "id",
    "name",
    "next_run_time",
    "timezone",
]
NOW = datetime(2025, 3, 7, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("agentplatform.schedules.service.utc_now", lambda: NOW)


def _schedule(api: Any, graph: dict[str, Any], **overrides: Any) -> Any:
    body = {"name": "Morning run", "cron": "0 9 * * *", "inputs": {"x": "hello"}, **overrides}
    return api.post(f"/api/graphs/{graph['id']}/schedules", json_body=body)


def _scheduler_schedules() -> list[dict[str, Any]]:
    scheduler, group = client("scheduler"), get_settings().schedule_group_name
    names = [s["Name"] for s in scheduler.list_schedules(GroupName=group)["Schedules"]]
    return [scheduler.get_schedule(Name=name, GroupName=group) for name in names]


def test_create_answers_job_info_in_the_requested_zone(api: Any) -> None:
    graph = create_graph(api, input_store_output_graph())

    response = _schedule(api, graph, timezone="America/New_York")

    assert response.status_code == 200, response.content
    info = response.json()
    assert list(info) == JOB_INFO_KEYS
    assert info == {
        "schedule_id": info["id"],
        "user_id": USER_ID,
        "graph_id": graph["id"],
        "graph_version": 1,
        "agent_name": "Morning run",
        "cron": "0 9 * * *",
        "input_data": {"x": "hello"},
        "input_credentials": {},
        "id": info["id"],
        "name": "Morning run",
        "next_run_time": "2025-03-08T09:00:00-05:00",
        "timezone": "America/New_York",
    }


def test_create_makes_one_eventbridge_schedule_that_targets_the_run_function(api: Any) -> None:
    graph = create_graph(api, input_store_output_graph())

    info = _schedule(api, graph, timezone="America/New_York").json()

    (schedule,) = _scheduler_schedules()
    settings = get_settings()
    assert schedule["Name"] == info["id"]
    assert schedule["ScheduleExpression"] == "cron(0 9 * * ? *)"
    assert schedule["ScheduleExpressionTimezone"] == "America/New_York"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    target = schedule["Target"]
    assert (target["Arn"], target["RoleArn"]) == (settings.schedule_target_arn, settings.scheduler_role_arn)
    assert target["DeadLetterConfig"] == {"Arn": settings.schedule_dlq_arn}
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 10}
    assert json.loads(target["Input"]) == {
        "user_id": USER_ID,
        "schedule_id": info["id"],
        "scheduled_time": "<aws.scheduler.scheduled-time>",
    }


def test_next_run_times_stay_at_nine_local_across_the_march_change(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = create_graph(api, input_store_output_graph())
    _schedule(api, graph, timezone="America/New_York")
    seen = []
    for now in ("2025-03-08T14:00:01+00:00", "2025-03-09T13:00:01+00:00"):
        monkeypatch.setattr("agentplatform.schedules.service.utc_now", lambda now=now: datetime.fromisoformat(now))
        (info,) = api.get("/api/schedules").json()
        seen.append(info["next_run_time"])

    assert seen == ["2025-03-09T09:00:00-04:00", "2025-03-10T09:00:00-04:00"]


def test_without_a_zone_the_users_saved_zone_then_utc(api: Any) -> None:
    graph = create_graph(api, input_store_output_graph())

    assert _schedule(api, graph).json()["timezone"] == "UTC"
    assert api.post("/api/auth/user/timezone", json_body={"timezone": "Asia/Tokyo"}).status_code == 200
    info = _schedule(api, graph).json()

    assert (info["timezone"], info["next_run_time"]) == ("Asia/Tokyo", "2025-03-08T09:00:00+09:00")


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"cron": "0 9 * *"}, 400),
        ({"cron": "0 25 * * *"}, 400),
        ({"cron": "0 9 1 * MON"}, 400),
        ({"timezone": "Mars/Olympus_Mons"}, 400),
        ({"graph_version": 7}, 404),
        ({"cron": None}, 422),
    ],
)
def test_invalid_requests_create_nothing(api: Any, overrides: dict[str, Any], status: int) -> None:
    graph = create_graph(api, input_store_output_graph())

    response = _schedule(api, graph, **overrides)

    assert response.status_code == status, response.content
    assert set(response.json()) == {"message", "detail", "hint"}
    assert api.get("/api/schedules").json() == []
    assert _scheduler_schedules() == []


def test_unknown_graph_is_404(api: Any) -> None:
    response = _schedule(api, {"id": "00000000-0000-4000-8000-000000000000"})

    assert response.status_code == 404
    assert response.json()["detail"] == "Graph #00000000-0000-4000-8000-000000000000 vNone not found."


def test_lists_per_graph_and_per_user(api: Any) -> None:
    first = create_graph(api, input_store_output_graph("First"))
    second = create_graph(api, input_store_output_graph("Second"))
    a = _schedule(api, first, name="a").json()
    b = _schedule(api, first, name="b", cron="30 8 * * 1-5").json()
    c = _schedule(api, second, name="c").json()

    by_graph = api.get(f"/api/graphs/{first['id']}/schedules").json()
    everything = api.get("/api/schedules").json()

    by_id = lambda infos: sorted(infos, key=lambda info: info["id"])  # noqa: E731 (same created_at: frozen clock)
    assert by_id(by_graph) == by_id([a, b])
    assert by_id(everything) == by_id([a, b, c])


def test_other_users_cannot_see_delete_or_schedule_anothers_graph(api: Any, other_api: Any) -> None:
    graph = create_graph(api, input_store_output_graph())
    info = _schedule(api, graph).json()

    assert other_api.get("/api/schedules").json() == []
    assert other_api.get(f"/api/graphs/{graph['id']}/schedules").json() == []
    assert other_api.delete(f"/api/schedules/{info['id']}").status_code == 404
    assert _schedule(other_api, graph).status_code == 404
    assert [s["id"] for s in api.get("/api/schedules").json()] == [info["id"]]
    assert len(_scheduler_schedules()) == 1


def test_delete_removes_the_schedule_and_answers_its_id(api: Any) -> None:
    graph = create_graph(api, input_store_output_graph())
    info = _schedule(api, graph).json()

    response = api.delete(f"/api/schedules/{info['id']}")

    assert (response.status_code, response.json()) == (200, {"id": info["id"]})
    assert api.get("/api/schedules").json() == []
    assert _scheduler_schedules() == []
    again = api.delete(f"/api/schedules/{info['id']}")
    assert again.status_code == 404
    assert again.json()["detail"] == f"Schedule #{info['id']} not found"


def test_deleting_the_graph_deletes_its_schedules(api: Any) -> None:
    graph = create_graph(api, input_store_output_graph("Doomed"))
    kept = create_graph(api, input_store_output_graph("Kept"))
    _schedule(api, graph)
    _schedule(api, graph, cron="0 18 * * *")
    survivor = _schedule(api, kept).json()

    assert api.delete(f"/api/graphs/{graph['id']}").status_code == 200

    assert api.get("/api/schedules").json() == [survivor]
    assert [s["Name"] for s in _scheduler_schedules()] == [survivor["id"]]


def test_routes_are_in_the_openapi_with_their_models(api: Any) -> None:
    from agentplatform.api.app import create_app

    paths = create_app("schedules").openapi()["paths"]

    create = paths["/api/graphs/{graph_id}/schedules"]["post"]
    assert create["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GraphExecutionJobInfo"
    }
    assert {"400", "404", "422"} <= set(create["responses"])
    assert set(paths["/api/schedules/{schedule_id}"]["delete"]["responses"]) >= {"200", "404"}
