"""Daily and weekly summaries: who gets one, over which period, and what it says.

Recipients are the users who finished a run in the period (the consumer records that
when it handles an AGENT_RUN); upstream's weekly summary also goes to the users active
in the last 7 days. Periods are UTC: the daily summary covers the previous calendar day,
the weekly one the 7 days before the scheduled time (as upstream). The figures are
upstream's: credits in dollars, TERMINATED runs counted as failed, times from the runs'
``duration``, agents named by their graph (``Agent <id prefix>`` when unknown).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from agentplatform.models.notifications import NotificationEvent, SummaryTask, SummaryType
from agentplatform.models.user import NotificationType
from agentplatform.store.notifications import NotificationStore
from agentplatform.store.table import unpack


def period(kind: NotificationType, now: datetime) -> tuple[datetime, datetime]:
    now = now.astimezone(UTC)
    if kind == NotificationType.DAILY_SUMMARY:
        end = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return end - timedelta(days=1), end
    end = now.replace(minute=0, second=0, microsecond=0)
    return end - timedelta(days=7), end


def days_between(start: datetime, end: datetime) -> list[str]:
    """The UTC days [start, end) touches."""
    days, day = [], start.date()
    while datetime.combine(day, datetime.min.time(), UTC) < end:
        days.append(day.isoformat())
        day += timedelta(days=1)
    return days


def summary_tasks(store: NotificationStore, kind: SummaryType, now: datetime) -> list[SummaryTask]:
    start, end = period(kind, now)
    users = store.active_users(days_between(start, end))
    return [SummaryTask(user_id=u, type=kind, start=start, end=end) for u in users]


def summary_event(store: NotificationStore, task: SummaryTask) -> NotificationEvent | None:
    """The summary as a notification event, or None when the user ran nothing."""
    runs = [r for r in store.runs_between(task.user_id, task.start, task.end) if not r.get("parent")]
    if not runs:
        return None
    figures = _figures(task.user_id, runs)
    if task.type == NotificationType.DAILY_SUMMARY:
        figures["date"] = task.start.isoformat()
    else:
        figures.update(start_date=task.start.isoformat(), end_date=task.end.isoformat())
    return NotificationEvent(
        id=f"{task.type.value}:{task.start.isoformat()}",
        user_id=task.user_id,
        type=task.type,
        data=figures,
    )


def _figures(user_id: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    usage: Counter[str] = Counter()
    cost_by_graph: dict[str, float] = defaultdict(float)
    durations: list[float] = []
    succeeded = failed = 0
    versions: dict[str, int] = {}
    for run in runs:
        status = run.get("status")
        succeeded += status == "COMPLETED"
        failed += status in ("FAILED", "TERMINATED")
        stats = unpack(run["stats"]) if run.get("stats") else {}
        cost_by_graph[run["graph_id"]] += float(stats.get("cost", 0)) / 100
        if "duration" in stats:
            durations.append(float(stats["duration"]))
        usage[run["graph_id"]] += 1
        versions.setdefault(run["graph_id"], int(run["graph_version"]))  # newest first: the latest
    names = _agent_names(user_id, versions)
    breakdown: dict[str, float] = defaultdict(float)
    for graph_id, cost in cost_by_graph.items():
        breakdown[names[graph_id]] += cost  # two agents of one name share a line, as upstream
    total_time = sum(durations)
    return {
        "total_credits_used": sum(cost_by_graph.values()),
        "total_executions": len(runs),
        "most_used_agent": names[usage.most_common(1)[0][0]],
        "total_execution_time": total_time,
        "successful_runs": succeeded,
        "failed_runs": failed,
        "average_execution_time": total_time / len(durations) if durations else 0.0,
        "cost_breakdown": dict(breakdown),
    }


def _agent_names(user_id: str, versions: dict[str, int]) -> dict[str, str]:
    from agentplatform.store.graphs import GraphRepository

    found = {g.id: g.name for g in GraphRepository().get_versions(user_id, list(versions.items())) if g.name}
    return {graph_id: found.get(graph_id) or f"Agent {graph_id[:8]}" for graph_id in versions}
