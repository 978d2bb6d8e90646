"""Schedule use cases behind ``/api/graphs/{id}/schedules`` and ``/api/schedules``, and the
firing that EventBridge Scheduler drives (``functions/schedules/run.py``).

Creating checks everything first (cron, time zone, graph access, inputs and
credentials, as a run would), so a bad request leaves nothing behind. The Scheduler
schedule is created before its item: if the item write then fails, the schedule is
deleted again, and if the process dies in between, the orphan deletes itself on its
first firing (no item: a stale schedule). Deleting goes the other way round for the
same reason.

A firing starts one run as the owner with the stored graph version, inputs and
credentials. Its run id is derived from (schedule, scheduled time), so a redelivered
or retried firing finds its run instead of starting a second one.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from agentplatform.errors import GraphValidationError, NotAuthorizedError, NotFoundError
from agentplatform.models.credentials import credentials_inputs
from agentplatform.models.execution_status import ExecutionStatus
from agentplatform.models.schedules import GraphExecutionJobInfo, ScheduleCreationRequest
from agentplatform.schedules import eventbridge
from agentplatform.schedules.cron import Cron, zone
from agentplatform.store.schedules import ScheduleRepository, schedule_item
from agentplatform.store.table import is_condition_failure, pack, unpack

logger = logging.getLogger(__name__)

_RUN_NAMESPACE = uuid.UUID("0f3c2a51-7f0e-4d8e-9a55-4a3c1f6e2b90")
DEFAULT_TIMEZONE = "UTC"


def utc_now() -> datetime:
    return datetime.now(UTC)


def scheduled_run_id(schedule_id: str, scheduled_time: str) -> str:
    """The run a firing starts: the same for every delivery of that firing."""
    return str(uuid.uuid5(_RUN_NAMESPACE, f"{schedule_id}@{scheduled_time}"))


def to_job_info(item: dict[str, Any], now: datetime) -> GraphExecutionJobInfo:
    fire = Cron(item["cron"]).next_fire_time(item["timezone"], now)
    return GraphExecutionJobInfo(
        id=item["id"],
        schedule_id=item["id"],
        name=item["name"],
        agent_name=item["name"],
        user_id=item["user_id"],
        graph_id=item["graph_id"],
        graph_version=item["graph_version"],
        cron=item["cron"],
        input_data=unpack(item["input_data"]),
        input_credentials=unpack(item["input_credentials"]),
        timezone=item["timezone"],
        next_run_time=fire.isoformat() if fire else "",
    )


class ScheduleService:
    def __init__(self, repo: ScheduleRepository | None = None, clock: Callable[[], datetime] | None = None):
        self.repo = repo or ScheduleRepository()
        self.clock = clock or utc_now

    def _executions(self) -> Any:
        from agentplatform.executions.service import ExecutionService
        from agentplatform.store.executions import ExecutionRepository

        return ExecutionService(ExecutionRepository(self.repo.table))

    # -- the API

    def create(self, user_id: str, graph_id: str, request: ScheduleCreationRequest) -> GraphExecutionJobInfo:
        timezone = request.timezone or self._saved_timezone(user_id)
        zone(timezone)
        cron = Cron(request.cron)
        credentials = credentials_inputs(request.credentials)
        try:
            graph, _, _ = self._executions().prepare(
                user_id, graph_id, request.graph_version, request.inputs, credentials
            )
        except NotFoundError:
            raise NotFoundError(f"Graph #{graph_id} v{request.graph_version} not found.") from None
        schedule_id = str(uuid.uuid4())
        eventbridge.create(
            schedule_id,
            expression=cron.eventbridge_expression(),
            timezone=timezone,
            target=eventbridge.target_input(user_id, schedule_id),
            name=request.name,
        )
        item = schedule_item(
            user_id,
            schedule_id,
            graph.id,
            self.clock().isoformat(),
            graph_version=graph.version,
            name=request.name,
            cron=cron.expression,
            timezone=timezone,
            input_data=pack(request.inputs),
            input_credentials=pack(credentials),
        )
        try:
            self.repo.put(item)
        except Exception:
            eventbridge.delete(schedule_id)
            raise
        return to_job_info(item, self.clock())

    def list_for_graph(self, user_id: str, graph_id: str) -> list[GraphExecutionJobInfo]:
        return self._infos(self.repo.list_for_graph(user_id, graph_id))

    def list_for_user(self, user_id: str) -> list[GraphExecutionJobInfo]:
        return self._infos(self.repo.list_for_user(user_id))

    def _infos(self, items: list[dict[str, Any]]) -> list[GraphExecutionJobInfo]:
        now = self.clock()
        items.sort(key=lambda item: (item["created_at"], item["id"]))
        return [to_job_info(item, now) for item in items]

    def delete(self, user_id: str, schedule_id: str) -> None:
        if not self.repo.delete(user_id, schedule_id):
            raise NotFoundError(f"Schedule #{schedule_id} not found")
        eventbridge.delete(schedule_id)

    def delete_for_graph(self, user_id: str, graph_id: str) -> int:
        """A deleted graph's schedules stop with it."""
        items = self.repo.list_for_graph(user_id, graph_id)
        for item in items:
            eventbridge.delete(item["id"])
        self.repo.delete_many(items)
        return len(items)

    def _saved_timezone(self, user_id: str) -> str:
        from agentplatform.store.users import UserRepository

        try:
            saved = UserRepository(self.repo.table).get(user_id).timezone
        except NotFoundError:
            return DEFAULT_TIMEZONE
        return saved if saved and saved != "not-set" else DEFAULT_TIMEZONE

    # -- firing (the EventBridge Scheduler target)

    def fire(self, user_id: str, schedule_id: str, scheduled_time: str) -> dict[str, Any]:
        """Start the firing's run; refuse (and delete) a schedule that has gone stale."""
        item = self.repo.get(user_id, schedule_id)
        if item is None:
            eventbridge.delete(schedule_id)
            return {"status": "deleted", "reason": "schedule not found"}
        run_id = scheduled_run_id(schedule_id, scheduled_time)
        try:
            return self._start(item, run_id)
        except (NotFoundError, NotAuthorizedError) as exc:  # graph deleted, or left the library
            logger.warning("schedule %s stopped, its graph is unavailable: %s", schedule_id, exc)
            self.delete_for_graph(user_id, item["graph_id"])
            self._delete_quietly(user_id, schedule_id)
            return {"status": "deleted", "reason": "graph not available"}
        except GraphValidationError as exc:  # as upstream: a graph that cannot run is unscheduled
            logger.warning("schedule %s stopped, its graph is invalid: %s", schedule_id, exc)
            self._delete_quietly(user_id, schedule_id)
            return {"status": "deleted", "reason": "graph validation failed"}
        except ValueError as exc:  # e.g. inputs the current graph version refuses: next firing retries
            logger.warning("schedule %s skipped a run: %s", schedule_id, exc)
            return {"status": "skipped", "reason": str(exc)}

    def _start(self, item: dict[str, Any], run_id: str) -> dict[str, Any]:
        from agentplatform.store.executions import RunRef

        executions = self._executions()
        ref = RunRef(item["user_id"], run_id)
        existing = executions.repo.get_run(ref, include_deleted=True)
        if existing is None:
            try:
                executions.execute(
                    item["user_id"],
                    item["graph_id"],
                    item["graph_version"],
                    unpack(item["input_data"]),
                    credentials_inputs=unpack(item["input_credentials"]) or None,
                    graph_exec_id=run_id,
                )
                return {"status": "started", "graph_exec_id": run_id}
            except Exception as exc:
                if not is_condition_failure(exc):
                    raise
                existing = executions.repo.get_run(ref, include_deleted=True)  # a concurrent delivery
        if existing is not None and existing["status"] == ExecutionStatus.INCOMPLETE.value:
            executions.queue_and_start(ref, existing)  # an earlier try died before queuing it
        return {"status": "duplicate", "graph_exec_id": run_id}

    def _delete_quietly(self, user_id: str, schedule_id: str) -> None:
        self.repo.delete(user_id, schedule_id)
        eventbridge.delete(schedule_id)
