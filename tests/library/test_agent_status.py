"""A library agent's ``status`` and ``new_output`` from its run aggregates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from agentplatform.library.service import agent_status, to_library_agent
from agentplatform.models.graph import GraphModel
from agentplatform.store.library import LibraryRepository, agent_item, library_agent_id, run_library_agent_id

USER = "u-1"
NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("active", "last", "status"),
    [
        ({}, None, "COMPLETED"),
        ({}, "COMPLETED", "COMPLETED"),
        ({}, "TERMINATED", "COMPLETED"),
        ({"r1": "RUNNING"}, "COMPLETED", "HEALTHY"),
        ({"r1": "RUNNING", "r2": "QUEUED"}, None, "WAITING"),
        ({"r1": "REVIEW"}, None, "WAITING"),
        ({"r1": "RUNNING", "r2": "QUEUED"}, "FAILED", "ERROR"),
    ],
)
def test_status_precedence_is_upstreams(active, last, status):
    assert agent_status({"active_runs": active, "last_run_status": last}) == status


def _item(**aggregates: Any) -> dict[str, Any]:
    graph = GraphModel(id="g-1", user_id=USER, name="G", description="d")
    item = agent_item(
        USER, library_agent_id(USER, "g-1"), graph, settings={}, latest_version=1, at=NOW.isoformat()
    )
    item.update(aggregates)
    return item


def test_new_output_is_a_completed_run_within_a_week():
    recent = _item(last_completed_at=(NOW - timedelta(days=6)).isoformat())
    old = _item(last_completed_at=(NOW - timedelta(days=8)).isoformat())

    assert to_library_agent(recent, NOW).new_output is True
    assert to_library_agent(old, NOW).new_output is False
    assert to_library_agent(_item(), NOW).new_output is False


def test_agent_ids_are_per_graph_for_own_graphs_and_per_version_from_the_marketplace():
    own = {"user_id": USER, "graph_id": "g-1", "graph_version": 3}
    bought = {**own, "graph_owner_id": "creator"}

    assert run_library_agent_id(own) == library_agent_id(USER, "g-1")
    assert run_library_agent_id(bought) == library_agent_id(USER, "g-1", 3)
    assert library_agent_id(USER, "g-1") != library_agent_id("u-2", "g-1")


def test_run_status_writes_keep_the_aggregates_idempotently(cloud):
    repo = LibraryRepository()
    repo.add_agent(_item())
    run = {"id": "r1", "user_id": USER, "graph_id": "g-1", "graph_version": 1}

    for status in ("QUEUED", "QUEUED", "RUNNING"):
        repo.record_run({**run, "status": status})
    running = repo.get_agent(USER, library_agent_id(USER, "g-1"))
    assert running is not None and running["active_runs"] == {"r1": "RUNNING"}

    ended = "2025-06-01T10:00:00+00:00"
    for _ in range(2):
        repo.record_run({**run, "status": "COMPLETED", "ended_at": ended})
    done = repo.get_agent(USER, library_agent_id(USER, "g-1"))
    assert done is not None
    assert (done["active_runs"], done["last_run_status"], done["last_completed_at"]) == (
        {},
        "COMPLETED",
        ended,
    )
    # A run of a graph with no library agent (stored before the library) is left alone.
    repo.record_run({**run, "graph_id": "g-unknown", "status": "QUEUED"})
    assert repo.get_agent(USER, library_agent_id(USER, "g-unknown")) is None
