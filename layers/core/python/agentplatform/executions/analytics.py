"""Admin run analytics (spec §1.3 rows 102-104): summaries and correctness scores of a
graph's finished runs, and the trend of those scores.

``generate`` lists the graph's finished runs (any user, or one), skips those already
analysed (unless told not to), and asks the model about the rest, ``batch_size`` at a
time. Unlike upstream's long-running server, a REST Lambda has 28 s: work stops at
``TIME_BUDGET_SECONDS``, and the runs not reached are reported ``skipped`` with a note;
calling again continues with them (they still lack a summary). Each result is saved as
it arrives: the run's ``stats`` and a score item, in one transaction.

``accuracy_trends`` averages scores per UTC day (x100), then over the last 3, 7 and 14
days that have scores, and raises an alert when the 3-day average is ``drop_threshold``
percent or more below the 7-day one (upstream's query, over the score items).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from agentplatform.executions.activity import (
    DEFAULT_SYSTEM_PROMPT,
    DEFAULT_USER_PROMPT,
    generate_activity,
    platform_credentials,
    run_record,
)
from agentplatform.llm.models import LlmModel
from agentplatform.models.credentials import APIKeyCredentials
from agentplatform.models.execution import TERMINAL, ExecutionStatus
from agentplatform.models.execution_analytics import (
    AccuracyAlertData,
    AccuracyLatestData,
    AccuracyTrendsResponse,
    ExecutionAnalyticsConfig,
    ExecutionAnalyticsRequest,
    ExecutionAnalyticsResponse,
    ExecutionAnalyticsResult,
    ModelInfo,
)
from agentplatform.store.execution_analytics import ExecutionAnalyticsStore, RunScore, run_stats

RECOMMENDED_MODEL = LlmModel.GPT4O_MINI
TIME_BUDGET_SECONDS = 20.0
MAX_RUNS = 1000  # newest runs considered per request
NOT_REACHED = "Not analysed within this request's time budget; run again to continue"


def analytics_config() -> ExecutionAnalyticsConfig:
    models = []
    for model in LlmModel:
        provider = model.provider
        label = f"{provider.replace('_', ' ').title()}: {model.metadata.display_name}"
        if model == RECOMMENDED_MODEL:
            label += " (Recommended)"
        models.append(ModelInfo(value=model.value, label=label, provider=provider))
    models.sort(key=lambda info: (info.provider, info.label))
    return ExecutionAnalyticsConfig(
        available_models=models,
        default_system_prompt=DEFAULT_SYSTEM_PROMPT,
        default_user_prompt=DEFAULT_USER_PROMPT,
        recommended_model=RECOMMENDED_MODEL.value,
    )


def _result(run: dict[str, Any], status: str, **fields: Any) -> ExecutionAnalyticsResult:
    stats = run_stats(run)
    defaults = {"summary_text": stats.get("activity_status"), "score": stats.get("correctness_score")}
    return ExecutionAnalyticsResult(
        agent_id=run["graph_id"],
        version_id=run["graph_version"],
        user_id=run["user_id"],
        exec_id=run["id"],
        status=status,
        created_at=run.get("created_at"),
        updated_at=run.get("ended_at") or run.get("created_at"),
        started_at=run.get("started_at"),
        ended_at=run.get("ended_at"),
        **{**defaults, **fields},
    )


def _analysed(run: dict[str, Any]) -> bool:
    stats = run_stats(run)
    return bool(stats.get("activity_status")) and stats.get("correctness_score") is not None


class ExecutionAnalytics:
    def __init__(self, store: ExecutionAnalyticsStore | None = None):
        self.store = store or ExecutionAnalyticsStore()
        self._graphs: dict[tuple[str, str, int], tuple[str, str]] = {}

    # -- generation

    def finished_runs(self, request: ExecutionAnalyticsRequest) -> list[dict[str, Any]]:
        since = request.created_after.astimezone(UTC).isoformat() if request.created_after else None
        runs = self.store.graph_runs(request.graph_id, user_id=request.user_id, since=since, limit=MAX_RUNS)
        return [
            run
            for run in runs
            if not run.get("is_deleted")
            and ExecutionStatus(run["status"]) in TERMINAL
            and request.graph_version in (None, run["graph_version"])
        ]

    async def generate(self, request: ExecutionAnalyticsRequest) -> ExecutionAnalyticsResponse:
        model = LlmModel(request.model_name)  # unknown model: ValueError, 400
        credentials = platform_credentials(model)  # no key: 503 before any work
        runs = await asyncio.to_thread(self.finished_runs, request)
        todo = [run for run in runs if not (request.skip_existing and _analysed(run))]
        deadline = time.monotonic() + TIME_BUDGET_SECONDS
        results: list[ExecutionAnalyticsResult] = []
        for start in range(0, len(todo), request.batch_size):
            batch = todo[start : start + request.batch_size]
            if time.monotonic() >= deadline:
                results.extend(_result(run, "skipped", error_message=NOT_REACHED) for run in batch)
                continue
            results.extend(
                await asyncio.gather(
                    *(self._analyse(run, request, model, credentials, deadline) for run in batch)
                )
            )
        todo_ids = {run["id"] for run in todo}
        results.extend(_result(run, "skipped") for run in runs if run["id"] not in todo_ids)
        successful = sum(result.status == "success" for result in results)
        failed = sum(result.status == "failed" for result in results)
        return ExecutionAnalyticsResponse(
            total_executions=len(runs),
            processed_executions=len(todo),
            successful_analytics=successful,
            failed_analytics=failed,
            skipped_executions=len(runs) - successful - failed,
            results=results,
        )

    async def _analyse(
        self,
        run: dict[str, Any],
        request: ExecutionAnalyticsRequest,
        model: LlmModel,
        credentials: APIKeyCredentials,
        deadline: float,
    ) -> ExecutionAnalyticsResult:
        try:
            name, record = await asyncio.to_thread(self._record, run)
            activity = await asyncio.wait_for(
                generate_activity(
                    model=model,
                    credentials=credentials,
                    graph_name=name,
                    record=record,
                    system_prompt=request.system_prompt or DEFAULT_SYSTEM_PROMPT,
                    user_prompt=request.user_prompt or DEFAULT_USER_PROMPT,
                ),
                timeout=max(deadline - time.monotonic(), 1.0),
            )
            stats = {
                **run_stats(run),
                "activity_status": activity.activity_status,
                "correctness_score": activity.correctness_score,
            }
            await asyncio.to_thread(self.store.save_analysis, run, stats, activity.correctness_score)
        except TimeoutError:
            return _result(run, "failed", summary_text=None, score=None, error_message="The model timed out")
        except Exception as exc:  # one run's failure is reported, not raised
            return _result(run, "failed", summary_text=None, score=None, error_message=str(exc)[:500])
        return _result(
            run, "success", summary_text=activity.activity_status, score=activity.correctness_score
        )

    def _record(self, run: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        from agentplatform.blocks.registry import get_block
        from agentplatform.store.executions import ExecutionRepository, RunRef, node_result

        name, description = self._graph_info(run)
        nodes = [
            node_result(item) for item in ExecutionRepository().node_execs(RunRef(run["user_id"], run["id"]))
        ]
        blocks = {n.block_id: getattr(get_block(n.block_id), "name", n.block_id) for n in nodes}
        record = run_record(name, description, run["status"], run_stats(run), nodes, blocks)
        return name, record

    def _graph_info(self, run: dict[str, Any]) -> tuple[str, str]:
        owner = run.get("graph_owner_id") or run["user_id"]
        key = (owner, run["graph_id"], run["graph_version"])
        if key not in self._graphs:
            from agentplatform.errors import NotFoundError
            from agentplatform.store.graphs import GraphRepository

            try:
                graph = GraphRepository().get(owner, run["graph_id"], run["graph_version"])
                self._graphs[key] = (graph.name, graph.description or "")
            except NotFoundError:
                self._graphs[key] = (f"Graph {run['graph_id']}", "")
        return self._graphs[key]

    # -- trends

    def accuracy_trends(
        self,
        graph_id: str,
        *,
        user_id: str | None,
        days_back: int,
        drop_threshold: float,
        include_historical: bool,
    ) -> AccuracyTrendsResponse:
        now = datetime.now(UTC)
        since = (now - timedelta(days=days_back)).isoformat()
        scores = [s for s in self.store.scores(graph_id, since) if user_id in (None, s.user_id)]
        days = _trend_rows(scores)
        if not days:
            empty = AccuracyLatestData(
                date=now, daily_score=None, three_day_avg=None, seven_day_avg=None, fourteen_day_avg=None
            )
            return AccuracyTrendsResponse(latest_data=empty, alert=None)
        latest = days[-1]
        alert = None
        drop = _drop_percent(latest)
        if drop is not None and drop >= drop_threshold:
            alert = AccuracyAlertData(
                graph_id=graph_id,
                user_id=user_id,
                drop_percent=drop,
                three_day_avg=latest.three_day_avg or 0.0,
                seven_day_avg=latest.seven_day_avg or 0.0,
                detected_at=now,
            )
        return AccuracyTrendsResponse(
            latest_data=latest,
            alert=alert,
            historical_data=list(reversed(days)) if include_historical else None,
        )


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _trend_rows(scores: list[RunScore]) -> list[AccuracyLatestData]:
    """One row per UTC day with scores, oldest first, with trailing averages over rows."""
    per_day: dict[str, list[float]] = defaultdict(list)
    for score in scores:
        per_day[score.created_at[:10]].append(score.score * 100)
    dates = sorted(per_day)
    daily = [_mean(per_day[day]) or 0.0 for day in dates]
    rows = []
    for i, day in enumerate(dates):
        rows.append(
            AccuracyLatestData(
                date=datetime.fromisoformat(day).replace(tzinfo=UTC),
                daily_score=daily[i],
                three_day_avg=_mean(daily[max(i - 2, 0) : i + 1]),
                seven_day_avg=_mean(daily[max(i - 6, 0) : i + 1]),
                fourteen_day_avg=_mean(daily[max(i - 13, 0) : i + 1]),
            )
        )
    return rows


def _drop_percent(row: AccuracyLatestData) -> float | None:
    if row.three_day_avg is None or not row.seven_day_avg or row.seven_day_avg <= 0:
        return None
    return (row.seven_day_avg - row.three_day_avg) / row.seven_day_avg * 100
