"""Human in the loop end to end through the API: a run pauses in REVIEW, waits without
running anything, and resumes with the reviewer's decision (spec §3.9)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, link, node
from tests.support.runs import create_graph, execute, get_run, wait_for

HITL = "8b2a7b3c-6e9d-4a5f-8c1b-2e3f4a5b6c7d"
PRINT_TO_CONSOLE = "f3b1c1b2-4c4f-4f0d-8d2f-4c4f0d8d2f4c"

REVIEW_FIELDS = {
    "node_exec_id",
    "node_id",
    "user_id",
    "graph_exec_id",
    "graph_id",
    "graph_version",
    "payload",
    "instructions",
    "editable",
    "status",
    "review_message",
    "was_edited",
    "processed",
    "created_at",
    "updated_at",
    "reviewed_at",
}


def _hitl_graph(editable: bool = True) -> dict[str, Any]:
    return {
        "name": "Reviewed",
        "nodes": [
            node("in", AGENT_INPUT, name="x"),
            node("review", HITL, name="Profile", editable=editable),
            node("ok", AGENT_OUTPUT, name="approved"),
            node("no", AGENT_OUTPUT, name="rejected"),
            node("msg", AGENT_OUTPUT, name="message"),
        ],
        "links": [
            link("in", "result", "review", "data"),
            link("review", "approved_data", "ok", "value"),
            link("review", "rejected_data", "no", "value"),
            link("review", "review_message", "msg", "value"),
        ],
    }


def _in_review(api: Any, graph: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    """Run ``graph`` until it waits in REVIEW; the run."""
    run = execute(api, graph, inputs)
    return wait_for(
        api, graph["id"], run["id"], until=lambda r: r["status"] in ("REVIEW", "COMPLETED", "FAILED")
    )


def _act(api: Any, *reviews: dict[str, Any]) -> Any:
    return api.post("/api/review/action", json_body={"reviews": list(reviews)})


@pytest.fixture
def paused(api: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(graph, run in REVIEW, its one pending review)."""
    graph = create_graph(api, _hitl_graph())
    run = _in_review(api, graph, {"x": {"name": "Ada", "age": 36}})
    assert run["status"] == "REVIEW"
    pending = api.get(f"/api/review/execution/{run['id']}").json()
    assert len(pending) == 1
    return graph, run, pending[0]


def test_a_review_node_pauses_the_run_with_a_waiting_review(api, paused):
    graph, run, review = paused
    assert set(review) == REVIEW_FIELDS
    reviewed_node = next(n for n in run["node_executions"] if n["node_id"] == review["node_id"])
    assert reviewed_node["status"] == "REVIEW"
    assert reviewed_node["output_data"] == {}
    assert review["node_exec_id"] == reviewed_node["node_exec_id"]
    assert {k: review[k] for k in ("graph_exec_id", "graph_id", "graph_version", "status", "editable")} == {
        "graph_exec_id": run["id"],
        "graph_id": graph["id"],
        "graph_version": 1,
        "status": "WAITING",
        "editable": True,
    }
    assert review["payload"] == {"name": "Ada", "age": 36}
    assert review["instructions"] == "Review required for Profile execution"
    assert (review["review_message"], review["was_edited"], review["processed"], review["reviewed_at"]) == (
        None,
        None,
        False,
        None,
    )
    assert api.get("/api/review/pending").json() == [review]


def test_approve_with_edited_data_resumes_the_run(api, paused):
    graph, run, review = paused
    edited = {"name": "Ada Lovelace", "age": 36}
    response = _act(
        api,
        {"node_exec_id": review["node_exec_id"], "approved": True, "reviewed_data": edited, "message": "ok"},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"approved_count": 1, "rejected_count": 0, "failed_count": 0, "error": None}
    done = wait_for(api, graph["id"], run["id"])
    assert done["status"] == "COMPLETED"
    assert done["outputs"] == {"approved": [edited], "message": ["ok"]}
    reviewed = next(n for n in done["node_executions"] if n["node_exec_id"] == review["node_exec_id"])
    assert reviewed["status"] == "COMPLETED"
    assert reviewed["output_data"] == {"approved_data": [edited], "review_message": ["ok"]}
    assert api.get("/api/review/pending").json() == []
    assert api.get(f"/api/review/execution/{run['id']}").json() == []


def test_reject_yields_rejected_data(api, paused):
    graph, run, review = paused
    response = _act(api, {"node_exec_id": review["node_exec_id"], "approved": False})
    assert response.json() == {"approved_count": 0, "rejected_count": 1, "failed_count": 0, "error": None}
    done = wait_for(api, graph["id"], run["id"])
    assert done["status"] == "COMPLETED"
    assert done["outputs"] == {
        "rejected": [{"name": "Ada", "age": 36}],
        "message": ["Execution rejected by reviewer"],
    }


def test_a_run_in_review_costs_no_state_machine_transitions(api, paused):
    from agentplatform.aws import client
    from agentplatform.config import get_settings

    _graph, run, review = paused
    sfn = client("stepfunctions")

    def executions() -> list[dict[str, Any]]:
        listed = sfn.list_executions(stateMachineArn=get_settings().state_machine_arn)["executions"]
        return [e for e in listed if e["name"].split("--")[0] == run["id"]]

    def history_events() -> int:
        return sum(
            len(sfn.get_execution_history(executionArn=e["executionArn"], maxResults=1000)["events"])
            for e in executions()
        )

    waiting = wait_for_executions_to_end(executions)
    before = history_events()
    time.sleep(2.5)  # longer than the poll pause (1 s here): a polling run would add events
    assert history_events() == before
    assert [e["status"] for e in executions()] == ["SUCCEEDED"] * len(waiting)

    assert _act(api, {"node_exec_id": review["node_exec_id"], "approved": True}).status_code == 200
    assert wait_for(api, run["graph_id"], run["id"])["status"] == "COMPLETED"
    assert len(executions()) == len(waiting) + 1  # the run went on as its next part


def wait_for_executions_to_end(executions: Any) -> list[dict[str, Any]]:
    """The run's executions once none is RUNNING (its last one ends right after pausing)."""
    deadline = time.monotonic() + 60
    while True:
        found = executions()
        if found and all(e["status"] != "RUNNING" for e in found):
            return list(found)
        assert time.monotonic() < deadline, found
        time.sleep(0.05)


def test_stop_in_review_terminates_the_run_and_cancels_its_reviews(api, paused):
    graph, run, review = paused
    stopped = api.post(f"/api/graphs/{graph['id']}/executions/{run['id']}/stop")
    assert stopped.status_code == 200
    after = get_run(api, graph["id"], run["id"])
    assert after["status"] == "TERMINATED"
    reviewed = next(n for n in after["node_executions"] if n["node_exec_id"] == review["node_exec_id"])
    assert reviewed["status"] == "TERMINATED"
    assert api.get("/api/review/pending").json() == []
    assert api.get(f"/api/review/execution/{run['id']}").json() == []
    late = _act(api, {"node_exec_id": review["node_exec_id"], "approved": True})
    assert late.status_code == 409
    assert late.json()["detail"] == "Cannot process reviews while execution status is TERMINATED"


def test_another_user_can_neither_see_nor_decide_a_review(api, other_api, paused):
    graph, run, review = paused
    assert other_api.get("/api/review/pending").json() == []
    assert other_api.get(f"/api/review/execution/{run['id']}").status_code == 404
    foreign = other_api.post(
        "/api/review/action",
        json_body={"reviews": [{"node_exec_id": review["node_exec_id"], "approved": True}]},
    )
    assert foreign.status_code == 404
    assert foreign.json()["detail"] == f"Review(s) not found: {review['node_exec_id']}"
    assert get_run(api, graph["id"], run["id"])["status"] == "REVIEW"
    assert api.get("/api/review/pending").json()[0]["status"] == "WAITING"


def test_bad_actions_are_refused_and_change_nothing(api, paused):
    graph, run, review = paused
    node_exec_id = review["node_exec_id"]
    assert api.post("/api/review/action", json_body={"reviews": []}).status_code == 422
    duplicated = {"node_exec_id": node_exec_id, "approved": True}
    assert _act(api, duplicated, duplicated).status_code == 422
    unknown = _act(api, {"node_exec_id": "no-such-review", "approved": True})
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "Review(s) not found: no-such-review")
    too_deep: Any = "leaf"
    for _ in range(12):
        too_deep = [too_deep]
    assert (
        _act(api, {"node_exec_id": node_exec_id, "approved": True, "reviewed_data": too_deep}).status_code
        == 422
    )
    assert api.get("/api/review/execution/unknown-run").status_code == 404
    assert get_run(api, graph["id"], run["id"])["status"] == "REVIEW"
    assert api.get(f"/api/review/execution/{run['id']}").json() == [review]


def test_a_read_only_review_refuses_edits(api):
    graph = create_graph(api, _hitl_graph(editable=False))
    run = _in_review(api, graph, {"x": "as is"})
    (review,) = api.get(f"/api/review/execution/{run['id']}").json()
    assert review["editable"] is False
    edited = _act(api, {"node_exec_id": review["node_exec_id"], "approved": True, "reviewed_data": "changed"})
    assert edited.status_code == 400
    unchanged = _act(
        api, {"node_exec_id": review["node_exec_id"], "approved": True, "reviewed_data": "as is"}
    )
    assert unchanged.json()["approved_count"] == 1
    assert wait_for(api, graph["id"], run["id"])["outputs"]["approved"] == ["as is"]


def test_reviews_of_two_executions_in_one_action_conflict(api):
    graph = create_graph(api, _hitl_graph())
    first, second = (_in_review(api, graph, {"x": n}) for n in (1, 2))
    ids = [api.get(f"/api/review/execution/{r['id']}").json()[0]["node_exec_id"] for r in (first, second)]
    mixed = _act(api, *({"node_exec_id": i, "approved": True} for i in ids))
    assert mixed.status_code == 409
    assert [r["node_exec_id"] for r in api.get("/api/review/pending").json()] == ids[::-1]  # newest first
    paged = api.get("/api/review/pending", params={"page": 2, "page_size": 1}).json()
    assert [r["node_exec_id"] for r in paged] == [ids[0]]


def test_without_safe_mode_the_data_passes_as_approved(api):
    graph = create_graph(api, _hitl_graph())
    settings = api.patch(
        f"/api/graphs/{graph['id']}/settings", json_body={"human_in_the_loop_safe_mode": False}
    )
    assert settings.status_code == 200, settings.content
    run = execute(api, graph, {"x": "fine"})
    done = wait_for(api, graph["id"], run["id"])
    assert done["status"] == "COMPLETED"
    assert done["outputs"] == {"approved": ["fine"], "message": ["Auto-approved (safe mode disabled)"]}


def _print_graph() -> dict[str, Any]:
    return {
        "name": "Printer",
        "nodes": [
            node("in", AGENT_INPUT, name="x"),
            node("print", PRINT_TO_CONSOLE),
            node("out", AGENT_OUTPUT, name="printed"),
        ],
        "links": [link("in", "result", "print", "text"), link("print", "output", "out", "value")],
    }


def test_a_sensitive_action_waits_for_review_in_sensitive_safe_mode(api):
    graph = create_graph(api, _print_graph())
    assert wait_for(api, graph["id"], execute(api, graph, {"x": "hi"})["id"])["outputs"] == {
        "printed": ["hi"]
    }

    api.patch(f"/api/graphs/{graph['id']}/settings", json_body={"sensitive_action_safe_mode": True})
    run = _in_review(api, graph, {"x": "rm -rf"})
    assert run["status"] == "REVIEW"
    (review,) = api.get(f"/api/review/execution/{run['id']}").json()
    assert review["payload"] == {"text": "rm -rf"}
    assert review["instructions"] == "Review required for PrintToConsoleBlock execution"
    _act(api, {"node_exec_id": review["node_exec_id"], "approved": True, "reviewed_data": {"text": "ls"}})
    assert wait_for(api, graph["id"], run["id"])["outputs"] == {"printed": ["ls"]}

    rejected_run = _in_review(api, graph, {"x": "rm -rf"})
    (review,) = api.get(f"/api/review/execution/{rejected_run['id']}").json()
    _act(api, {"node_exec_id": review["node_exec_id"], "approved": False, "message": "no"})
    done = wait_for(api, graph["id"], rejected_run["id"])
    printed = next(n for n in done["node_executions"] if n["node_exec_id"] == review["node_exec_id"])
    assert printed["status"] == "FAILED"
    assert printed["output_data"]["error"] == [
        "raised by PrintToConsoleBlock with message: Block execution rejected by reviewer: no. "
        f"block_id: {PRINT_TO_CONSOLE}"
    ]
    assert done["outputs"] == {}


def test_auto_approve_future_passes_the_nodes_later_executions(api, paused):
    from agentplatform.blocks.registry import get_block
    from agentplatform.engine.context import load_context
    from agentplatform.engine.review import DECISION_KWARG, gate
    from agentplatform.store.executions import RunRef
    from tests.conftest import USER_ID

    graph, run, review = paused
    response = _act(
        api,
        {
            "node_exec_id": review["node_exec_id"],
            "approved": True,
            "auto_approve_future": True,
            "reviewed_data": 1,
        },
    )
    assert response.json() == {"approved_count": 1, "rejected_count": 0, "failed_count": 0, "error": None}
    done = wait_for(api, graph["id"], run["id"])
    assert done["outputs"]["approved"] == [{"name": "Ada", "age": 36}]  # edits do not go with auto-approval

    ctx = load_context(RunRef(USER_ID, run["id"]))
    assert ctx is not None
    later = {"node_exec_id": "a-later-execution", "node_id": review["node_id"]}
    passed = gate(ctx, later, get_block(HITL), {"data": "new data", "name": "Profile"})
    assert not passed.paused
    decision = passed.kwargs[DECISION_KWARG]
    assert (decision.approved, decision.data, decision.message) == (
        True,
        "new data",
        "Auto-approved (user approved all future actions for this node)",
    )


def _slots_taken(graph_id: str) -> int:
    from agentplatform.store import keys
    from agentplatform.store.table import Table
    from tests.conftest import USER_ID

    item = Table().get(keys.run_queue_pk(USER_ID, graph_id), keys.RUN_SLOTS_SK, consistent=True)
    return int(item["running"]) if item else 0


@pytest.fixture
def cap_of_one(monkeypatch: pytest.MonkeyPatch) -> Any:
    from agentplatform.config import get_settings

    monkeypatch.setenv("MAX_CONCURRENT_GRAPH_EXECUTIONS_PER_USER", "1")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("MAX_CONCURRENT_GRAPH_EXECUTIONS_PER_USER")
    get_settings.cache_clear()


def test_a_run_in_review_holds_no_slot_and_takes_one_back_when_it_resumes(api, cap_of_one):
    """As upstream, only runs that run count against MAX_CONCURRENT_GRAPH_EXECUTIONS_PER_USER:
    with a cap of 1, a second run starts while the first waits for its reviewer."""
    graph = create_graph(api, _hitl_graph())
    first = _in_review(api, graph, {"x": {"name": "Ada"}})
    assert (first["status"], _slots_taken(graph["id"])) == ("REVIEW", 0)
    second = _in_review(api, graph, {"x": {"name": "Bob"}})
    assert (second["status"], _slots_taken(graph["id"])) == ("REVIEW", 0)

    [review] = api.get(f"/api/review/execution/{first['id']}").json()
    assert _act(api, {"node_exec_id": review["node_exec_id"], "approved": True}).status_code == 200
    done = wait_for(api, graph["id"], first["id"])
    assert (done["status"], done["outputs"]["approved"]) == ("COMPLETED", [{"name": "Ada"}])
    stopped = api.post(f"/api/graphs/{graph['id']}/executions/{second['id']}/stop")
    assert stopped.status_code == 200, stopped.content
    assert wait_for(api, graph["id"], second["id"])["status"] == "TERMINATED"
    assert _slots_taken(graph["id"]) == 0  # every slot taken came back, none twice
