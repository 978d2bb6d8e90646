"""Admin run analytics: a graph's runs across users, and the correctness scores given to them.

- Runs of a graph: ``gsi4`` (``GRAPHRUNS#<graph id>``, keys only, newest first) names
  them; one BatchGetItem per 100 reads them. With a user, ``gsi2`` reads them directly.
- Scores: ``RUNSCORES#<graph id>`` / ``<run created_at>#<run id>``, written with the
  run's stats in one transaction, so accuracy trends are one query over a date range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agentplatform.store import keys
from agentplatform.store.executions import RunRef
from agentplatform.store.schema import GRAPH_RUNS_INDEX
from agentplatform.store.table import Table, pack, put_op, unpack, update_op


@dataclass(frozen=True)
class RunScore:
    graph_exec_id: str
    user_id: str
    created_at: str
    score: float


class ExecutionAnalyticsStore:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def graph_runs(
        self, graph_id: str, *, user_id: str | None, since: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """Run items of the graph, newest first, at most ``limit``."""
        start = keys.execs_gsi_sk(since, "") if since else None
        if user_id:
            pk, index = keys.graph_execs_gsi2pk(user_id, graph_id), "gsi2"
            return list(self.table.query(pk, index=index, forward=False, limit=limit, start=start))
        refs = self.table.query(
            keys.graph_runs_gsi4pk(graph_id), index=GRAPH_RUNS_INDEX, forward=False, limit=limit, start=start
        )
        wanted = [(ref["pk"], ref["sk"]) for ref in refs]
        found = {item["pk"]: item for item in self.table.batch_get(wanted)}
        return [found[pk] for pk, _ in wanted if pk in found]

    def save_analysis(self, run: dict[str, Any], stats: dict[str, Any], score: float | None) -> None:
        """The run's new stats and, with a score, its score item, together."""
        ref = RunRef(run["user_id"], run["id"])
        operations = [
            update_op(ref.pk, keys.GRAPH_EXEC_SK, "SET stats = :stats", "attribute_exists(pk)",
                      values={":stats": pack(stats)})
        ]  # fmt: skip
        if score is not None:
            item = {
                "pk": keys.run_score_pk(run["graph_id"]),
                "sk": keys.run_score_sk(run["created_at"], run["id"]),
                "type": "run_score",
                "graph_exec_id": run["id"],
                "user_id": run["user_id"],
                "created_at": run["created_at"],
                "score": str(score),
            }
            operations.append(put_op(item))
        self.table.transact(operations)

    def scores(self, graph_id: str, since: str) -> list[RunScore]:
        """Scores of the graph's runs created from ``since`` on, oldest first."""
        items = self.table.query(keys.run_score_pk(graph_id), start=since)
        return [
            RunScore(item["graph_exec_id"], item["user_id"], item["created_at"], float(item["score"]))
            for item in items
        ]


def run_stats(run: dict[str, Any]) -> dict[str, Any]:
    return dict(unpack(run["stats"])) if run.get("stats") is not None else {}
