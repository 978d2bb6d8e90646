"""``Idempotency-Key`` on both execute routes: one run per key and request for 24 h."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from agentplatform.executions import idempotency
from agentplatform.executions.idempotency import WINDOW_SECONDS, IdempotentRuns
from tests.support.external import FakeClock, create_api_key, key_client
from tests.support.graphs import input_store_output_graph
from tests.support.runs import create_graph


def _internal(api, graph, inputs, key):
    return api.post(
        f"/api/graphs/{graph['id']}/execute/{graph['version']}",
        json_body={"inputs": inputs},
        headers={"Idempotency-Key": key},
    )


def _external(client, graph, node_input, key):
    return client.post(
        f"/external-api/v1/graphs/{graph['id']}/execute/{graph['version']}",
        json_body={"node_input": node_input},
        headers={"Idempotency-Key": key},
    )


def _run_count(api, graph) -> int:
    return api.get(f"/api/graphs/{graph['id']}/executions").json()["pagination"]["total_items"]


def test_internal_execute_repeated_returns_the_first_run(api):
    graph = create_graph(api, input_store_output_graph())

    first = _internal(api, graph, {"x": 1}, "order-42")
    second = _internal(api, graph, {"x": 1}, "order-42")

    assert first.status_code == 200 and second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["graph_id"] == graph["id"]
    assert _run_count(api, graph) == 1
    assert _internal(api, graph, {"x": 1}, "order-43").json()["id"] != first.json()["id"]
    assert _run_count(api, graph) == 2


def test_same_key_with_another_body_is_422(api):
    graph = create_graph(api, input_store_output_graph())
    assert _internal(api, graph, {"x": 1}, "k1").status_code == 200

    reused = _internal(api, graph, {"x": 2}, "k1")

    assert reused.status_code == 422
    assert reused.json()["detail"] == "Idempotency-Key 'k1' was already used with a different request"
    assert (
        reused.json()["message"]
        == f"Failed to process POST /api/graphs/{graph['id']}/execute/{graph['version']}"
    )
    assert _run_count(api, graph) == 1


def test_keys_are_per_user(api, other_api):
    graph = create_graph(api, input_store_output_graph())
    other_graph = create_graph(other_api, input_store_output_graph())

    mine = _internal(api, graph, {"x": 1}, "shared-key")
    theirs = _internal(other_api, other_graph, {"x": 1}, "shared-key")

    assert mine.status_code == 200 and theirs.status_code == 200
    assert mine.json()["id"] != theirs.json()["id"]


def test_a_failed_request_releases_its_key(api):
    graph = create_graph(api, input_store_output_graph())
    failed = api.post(
        f"/api/graphs/{graph['id']}/execute/99", json_body={"inputs": {}}, headers={"Idempotency-Key": "k"}
    )
    assert failed.status_code == 404

    retried = api.post(
        f"/api/graphs/{graph['id']}/execute/99", json_body={"inputs": {}}, headers={"Idempotency-Key": "k"}
    )
    assert retried.status_code == 404  # tried again, not answered from a stale claim


def test_invalid_key_is_400(api):
    graph = create_graph(api, input_store_output_graph())

    response = _internal(api, graph, {"x": 1}, "x" * 256)

    assert response.status_code == 400
    assert _run_count(api, graph) == 0


def test_external_execute_repeated_returns_the_first_run(api):
    graph = create_graph(api, input_store_output_graph())
    key, _ = create_api_key(api, ["EXECUTE_GRAPH"])
    client = key_client(key)

    first = _external(client, graph, {"x": 3}, "ext-1")
    second = _external(client, graph, {"x": 3}, "ext-1")
    changed = _external(client, graph, {"x": 4}, "ext-1")

    assert first.status_code == 200 and second.status_code == 200
    assert second.json() == first.json()
    assert changed.status_code == 422
    assert _run_count(api, graph) == 1


@pytest.mark.parametrize("route", ["internal", "external"])
def test_concurrent_identical_calls_start_one_run(api, route):
    graph = create_graph(api, input_store_output_graph())
    key, _ = create_api_key(api, ["EXECUTE_GRAPH"])
    client = key_client(key)

    def call(_: int):
        if route == "internal":
            return _internal(api, graph, {"x": 5}, "burst")
        return _external(client, graph, {"x": 5}, "burst")

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(call, range(6)))

    assert [r.status_code for r in responses] == [200] * 6
    assert len({r.json()["id"] for r in responses}) == 1
    assert _run_count(api, graph) == 1


def test_a_key_expires_after_the_window(cloud):
    clock = FakeClock()
    runs = IdempotentRuns(clock=clock, sleep=lambda _: None)
    started: list[str] = []

    def start(run_id: str) -> str:
        started.append(run_id)
        return run_id

    first = runs.run("u", "k", {"a": 1}, start, replay=lambda run_id: run_id)
    assert runs.run("u", "k", {"a": 1}, start, replay=lambda run_id: run_id) == first
    clock.advance(WINDOW_SECONDS)

    assert runs.run("u", "k", {"a": 2}, start, replay=lambda run_id: run_id) != first
    assert len(started) == 2


def test_a_waiting_duplicate_gives_up_with_409_while_the_first_is_still_starting(cloud):
    clock = FakeClock()
    inside, release = threading.Event(), threading.Event()

    def slow_start(run_id: str) -> str:
        inside.set()
        release.wait(10)
        return run_id

    first = IdempotentRuns(clock=clock, sleep=lambda _: None)
    waiter = IdempotentRuns(clock=clock, sleep=lambda _: clock.advance(1), wait_seconds=3)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(first.run, "u", "k", {"a": 1}, slow_start, lambda run_id: run_id)
        inside.wait(10)
        with pytest.raises(idempotency.IdempotencyKeyInProgressError):
            waiter.run("u", "k", {"a": 1}, slow_start, lambda run_id: run_id)
        release.set()
        run_id = pending.result(10)

    assert waiter.run("u", "k", {"a": 1}, slow_start, lambda rid: rid) == run_id
