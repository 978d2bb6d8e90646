"""upstream's ``test_store_listing_graph`` (spec §6.2 #6), end to end over the API.

User A creates the sample graph and submits it, an admin approves it, user B adds the
listing to their library and runs that exact graph version: B's run behaves as A's.
"""

from __future__ import annotations

import json
from typing import Any

from tests.support.library import LIBRARY_AGENT_KEYS
from tests.support.marketplace import decide, make_profile, sample_graph, submit
from tests.support.runs import create_graph, execute, wait_for

INPUTS = {"input_1": "Hello", "input_2": "World"}


def _results(run: dict[str, Any]) -> list[tuple[str, str, str]]:
    """What a run did, node by node, independent of run-specific ids, times and the order
    in which pins arrived."""

    def canonical(value: Any) -> str:
        return json.dumps(value, sort_keys=True)

    return sorted(
        (n["status"], canonical(n["input_data"]), canonical(n["output_data"])) for n in run["node_executions"]
    )


def test_store_listing_graph(api, other_api, admin_api):
    graph = create_graph(api, sample_graph())
    own_run = wait_for(api, graph["id"], execute(api, graph, INPUTS)["id"])
    make_profile(api, "alice")
    version_id = submit(api, graph, "greeter")["store_listing_version_id"]

    # not approved yet: the listing cannot be added or run by anyone else
    pending = other_api.post("/api/library/agents", json_body={"store_listing_version_id": version_id})
    assert pending.status_code == 404
    assert (
        other_api.post(f"/api/graphs/{graph['id']}/execute/1", json_body={"inputs": INPUTS}).status_code
        == 404
    )

    decide(admin_api, version_id)
    added = other_api.post("/api/library/agents", json_body={"store_listing_version_id": version_id})
    assert added.status_code == 201, added.content
    agent = added.json()
    assert list(agent) == LIBRARY_AGENT_KEYS
    assert (agent["graph_id"], agent["graph_version"], agent["can_access_graph"]) == (graph["id"], 1, False)
    assert agent["marketplace_listing"]["slug"] == "greeter"
    assert agent["marketplace_listing"]["creator"]["slug"] == "alice"

    started = execute(other_api, {"id": graph["id"], "version": 1}, INPUTS)
    assert started["status"] == "QUEUED"
    their_run = wait_for(other_api, graph["id"], started["id"])

    assert their_run["status"] == own_run["status"] == "COMPLETED"
    assert their_run["user_id"] != own_run["user_id"]
    assert len(their_run["node_executions"]) == 4
    assert _results(their_run) == _results(own_run)
    assert {"output": ["Hello, World!!!"]} in [n["output_data"] for n in their_run["node_executions"]]
    # B's run of the listed graph counts towards the listing (A ran it before listing it)
    details = other_api.get("/api/store/agents/alice/greeter").json()
    assert details["runs"] == 1
