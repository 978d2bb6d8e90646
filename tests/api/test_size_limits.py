"""Size limits answer 413 before anything is written; large values are returned once."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import httpx
import pytest

from tests.support.credentials import kms_key
from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, STORE_VALUE, input_store_output_graph, link, node
from tests.support.runs import create_graph, execute, wait_for

__all__ = ["kms_key"]

TOO_LONG = {"detail": "Request Too Long"}


def _noise(size: int) -> str:
    """Incompressible text of about ``size`` characters."""
    return base64.b64encode(os.urandom(size * 3 // 4)).decode()


def test_a_graph_too_large_for_one_item_is_413_naming_the_limit(api):
    graph = {**input_store_output_graph(), "description": _noise(1_000_000)}

    resp = api.post("/api/graphs", json_body={"graph": graph})

    assert resp.status_code == 413
    detail = resp.json()["detail"]
    assert detail.startswith("Graph is too large to store: ")
    assert detail.endswith("over the limit of 380 KB (one DynamoDB item holds at most 400 KB)")
    assert api.get("/api/graphs").json() == []


def test_a_10000_node_chain_is_413_not_500(api):
    nodes = [node(f"n{i}", STORE_VALUE) for i in range(10_000)]
    links = [link(f"n{i}", "output", f"n{i + 1}", "input") for i in range(9_999)]

    resp = api.post("/api/graphs", json_body={"graph": {"name": "chain", "nodes": nodes, "links": links}})

    assert resp.status_code == 413
    assert "limit of 380 KB" in resp.json()["detail"]


def test_an_update_too_large_adds_no_version(api):
    created = create_graph(api, input_store_output_graph())
    resp = api.put(
        f"/api/graphs/{created['id']}",
        json_body={**input_store_output_graph(), "description": _noise(600_000)},
    )
    assert resp.status_code == 413
    assert [v["version"] for v in api.get(f"/api/graphs/{created['id']}/versions").json()] == [1]


@pytest.mark.usefixtures("kms_key")
def test_any_item_past_dynamodbs_limit_is_413_not_500(api):
    resp = api.post(
        "/api/integrations/openai/credentials",
        json_body={"type": "api_key", "api_key": "sk-1", "title": _noise(450_000)},
    )
    assert resp.status_code == 413
    assert (
        resp.json()["detail"] == "An item would exceed DynamoDB's 400 KB item size limit; nothing was stored"
    )
    assert api.get("/api/integrations/credentials").json() == []


def test_a_body_over_10_mb_is_refused_by_the_gateway(api):
    created = create_graph(api, input_store_output_graph())

    resp = api.post(f"/api/graphs/{created['id']}/execute/1", json_body={"inputs": {"x": "x" * 10_500_000}})

    assert resp.status_code == 413
    assert resp.json() == TOO_LONG
    assert api.get("/api/executions").json() == []


def test_the_local_server_refuses_a_body_over_10_mb_over_http(cloud):
    from local.apigw import RouteTable
    from local.server import LocalGateway

    gateway = LocalGateway(cloud)  # type: ignore[arg-type]
    gateway.routes = RouteTable()
    transport = httpx.ASGITransport(app=gateway)

    async def post(size: int) -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://local") as client:
            return await client.post("/api/graphs", content=b"{" + b" " * size + b"}")

    import asyncio

    too_big = asyncio.run(post(10 * 1024 * 1024))
    assert too_big.status_code == 413
    assert too_big.json() == TOO_LONG
    under = asyncio.run(post(1024))
    assert under.status_code == 401  # reached the Lambda, which wants a token


def _two_inputs() -> dict[str, Any]:
    return {
        "name": "two large inputs",
        "nodes": [
            node("a", AGENT_INPUT, name="a"),
            node("b", AGENT_INPUT, name="b"),
            node("out", AGENT_OUTPUT, name="a"),
        ],
        "links": [link("a", "result", "out", "value")],
    }


def test_inputs_that_together_pass_an_item_spill_and_the_run_completes(api):
    created = create_graph(api, _two_inputs())
    a, b = _noise(250_000), _noise(250_000)  # each under the spill size, together over 400 KB

    run = wait_for(api, created["id"], execute(api, created, {"a": a, "b": b})["id"])

    assert run["status"] == "COMPLETED"
    assert run["inputs"]["b"] == b
    assert run["outputs"] == {"a": [a]}


def test_a_run_detail_returns_a_large_value_once(api):
    big = _noise(2_000_000)
    created = create_graph(api, input_store_output_graph("big"))
    started = execute(api, created, {"x": big})
    wait_for(api, created["id"], started["id"])

    detail = api.get(f"/api/graphs/{created['id']}/executions/{started['id']}")

    assert detail.status_code == 200
    assert detail.content.count(big.encode()) == 1
    run = detail.json()
    assert run["outputs"] == {"y": [big]}  # the run's result in full
    preview = big[:1000] + f"… ({len(big) - 1000} more characters truncated)"
    assert run["inputs"] == {"x": preview}
    by_block = {n["block_id"]: n for n in run["node_executions"]}
    assert by_block[STORE_VALUE]["input_data"]["input"] == preview
    assert by_block[STORE_VALUE]["output_data"] == {"output": [preview]}
    assert len(detail.content) < len(big) + 100_000


def test_listings_show_large_inputs_as_previews(api):
    big = _noise(500_000)
    created = create_graph(api, input_store_output_graph("big"))
    started = execute(api, created, {"x": big})
    wait_for(api, created["id"], started["id"])

    for listed in (
        api.get("/api/executions").json(),
        api.get(f"/api/graphs/{created['id']}/executions").json()["executions"],
    ):
        assert listed[0]["inputs"] == {"x": big[:1000] + f"… ({len(big) - 1000} more characters truncated)"}


def test_the_same_large_value_is_stored_once_per_run(api):
    from agentplatform.aws import client
    from agentplatform.config import get_settings

    big = _noise(400_000)
    created = create_graph(api, input_store_output_graph("big"))
    started = execute(api, created, {"x": big})
    wait_for(api, created["id"], started["id"])

    listed = client("s3").list_objects_v2(
        Bucket=get_settings().bucket_name, Prefix=f"values/{started['id']}/"
    )
    assert listed["KeyCount"] == 1
    body = client("s3").get_object(Bucket=get_settings().bucket_name, Key=listed["Contents"][0]["Key"])[
        "Body"
    ]
    assert json.loads(body.read()) == big
