"""Graph schedules (spec §1.5 "Schedules"), on EventBridge Scheduler."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path

from agentplatform.api.deps import UserId
from agentplatform.models.schedules import (
    GraphExecutionJobInfo,
    ScheduleCreationRequest,
    ScheduleDeletionResponse,
)
from agentplatform.schedules.service import ScheduleService

router = APIRouter(tags=["v1", "schedules"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such graph or schedule of the caller's"}
}
BAD_REQUEST: dict[int | str, dict[str, Any]] = {
    400: {"description": "Invalid cron expression, time zone, inputs or credentials"}
}


def schedule_service() -> ScheduleService:
    return ScheduleService()


Schedules = Annotated[ScheduleService, Depends(schedule_service)]


@router.post(
    "/api/graphs/{graph_id}/schedules",
    summary="Create execution schedule",
    responses={**NOT_FOUND, **BAD_REQUEST},
)
def create_graph_execution_schedule(
    user_id: UserId,
    schedules: Schedules,
    graph_id: Annotated[str, Path(description="ID of the graph to schedule")],
    schedule_params: Annotated[ScheduleCreationRequest, Body()],
) -> GraphExecutionJobInfo:
    """One EventBridge Scheduler schedule per request; ``next_run_time`` is in its time zone."""
    return schedules.create(user_id, graph_id, schedule_params)


@router.get("/api/graphs/{graph_id}/schedules", summary="List execution schedules for a graph")
def list_graph_execution_schedules(
    user_id: UserId, schedules: Schedules, graph_id: str
) -> list[GraphExecutionJobInfo]:
    return schedules.list_for_graph(user_id, graph_id)


@router.get("/api/schedules", summary="List execution schedules for a user")
def list_all_graphs_execution_schedules(user_id: UserId, schedules: Schedules) -> list[GraphExecutionJobInfo]:
    return schedules.list_for_user(user_id)


@router.delete("/api/schedules/{schedule_id}", summary="Delete execution schedule", responses=NOT_FOUND)
def delete_graph_execution_schedule(
    user_id: UserId,
    schedules: Schedules,
    schedule_id: Annotated[str, Path(description="ID of the schedule to delete")],
) -> ScheduleDeletionResponse:
    schedules.delete(user_id, schedule_id)
    return ScheduleDeletionResponse(id=schedule_id)
