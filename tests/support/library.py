"""Library helpers for tests: wire shapes and reading a graph's library agent."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.support.api import ApiGatewayClient
from tests.support.runs import WAIT_LIMIT_SECONDS

# AutoGPT's LibraryAgent (spec §1.5 "Library"), in order.
LIBRARY_AGENT_KEYS = [
    "id",
    "graph_id",
    "graph_version",
    "owner_user_id",
    "image_url",
    "creator_name",
    "creator_image_url",
    "status",
    "created_at",
    "updated_at",
    "name",
    "description",
    "instructions",
    "input_schema",
    "output_schema",
    "credentials_input_schema",
    "has_external_trigger",
    "has_human_in_the_loop",
    "has_sensitive_action",
    "trigger_setup_info",
    "new_output",
    "can_access_graph",
    "is_latest_version",
    "is_favorite",
    "recommended_schedule_cron",
    "settings",
    "marketplace_listing",
]
LIBRARY_AGENT_PRESET_KEYS = [
    "graph_id",
    "graph_version",
    "inputs",
    "credentials",
    "name",
    "description",
    "is_active",
    "id",
    "user_id",
    "created_at",
    "updated_at",
    "webhook_id",
    "webhook",
]


def agent_of(api: ApiGatewayClient, graph_id: str) -> dict[str, Any]:
    response = api.get(f"/api/library/agents/by-graph/{graph_id}")
    assert response.status_code == 200, response.content
    return response.json()


def wait_for_agent(
    api: ApiGatewayClient, agent_id: str, until: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Poll the agent until ``until(agent)`` holds: run aggregates land just after the
    run's own status write."""
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    while True:
        agent = api.get(f"/api/library/agents/{agent_id}").json()
        if until(agent):
            return agent
        if time.monotonic() > deadline:
            raise AssertionError(f"library agent {agent_id} did not get there: {agent}")
        time.sleep(0.05)
