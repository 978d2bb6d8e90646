"""Library helpers for tests: wire shapes and reading a graph's library agent."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.support.api import ApiGatewayClient
from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, STORE_VALUE, link, node
from tests.support.runs import AGENT_EXECUTOR, WAIT_LIMIT_SECONDS

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


# ---------------------------------------------------------- an export with sub-agents

SHOUT_ID = "b0000000-0000-4000-8000-00000000000b"
RELAY_ID = "a0000000-0000-4000-8000-00000000000a"
# As in the marketplace's agent files, the parent's node names the relay by an id the
# export does not embed (the sub-graphs were re-id'd); its version still identifies it.
RELAY_REF = "c0000000-0000-4000-8000-00000000000c"


def _io(name: str) -> dict[str, Any]:
    return {"type": "object", "properties": {name: {"title": name}}, "required": [name]}


def executor_node(node_id: str, graph_id: str, version: int, inputs: str, outputs: str) -> dict[str, Any]:
    return node(
        node_id,
        AGENT_EXECUTOR,
        graph_id=graph_id,
        graph_version=version,
        user_id="b3e41ea4-2f4c-4964-927c-fe682d857bad",  # the exporting user's
        inputs={},
        input_schema=_io(inputs),
        output_schema=_io(outputs),
    )


def nested_export() -> dict[str, Any]:
    """Parent -> Relay (v7) -> Shout (v4): a nested sub-agent, exported flattened."""
    shout = {
        "id": SHOUT_ID,
        "version": 4,
        "name": "Shout",
        "description": "innermost",
        "nodes": [
            node("s_in", AGENT_INPUT, name="b_in"),
            node("s_store", STORE_VALUE),
            node("s_out", AGENT_OUTPUT, name="b_out"),
        ],
        "links": [link("s_in", "result", "s_store", "input"), link("s_store", "output", "s_out", "value")],
    }
    relay = {
        "id": RELAY_ID,
        "version": 7,
        "name": "Relay",
        "description": "middle",
        "nodes": [
            node("r_in", AGENT_INPUT, name="a_in"),
            executor_node("r_agent", SHOUT_ID, 4, "b_in", "b_out"),
            node("r_out", AGENT_OUTPUT, name="a_out"),
        ],
        "links": [link("r_in", "result", "r_agent", "b_in"), link("r_agent", "b_out", "r_out", "value")],
    }
    return {
        "id": "d0000000-0000-4000-8000-00000000000d",
        "version": 12,
        "name": "Nested",
        "description": "calls a sub-agent that calls another",
        "nodes": [
            node("in", AGENT_INPUT, name="x"),
            executor_node("agent", RELAY_REF, 7, "a_in", "a_out"),
            node("out", AGENT_OUTPUT, name="y"),
        ],
        "links": [link("in", "result", "agent", "a_in"), link("agent", "a_out", "out", "value")],
        "sub_graphs": [relay, shout],
    }
