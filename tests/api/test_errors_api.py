"""The error envelope, and the promise that no input produces a 500."""

from __future__ import annotations

import re

import pytest

from tests.support.api import routes

JUNK_BODIES = [
    None,
    "",
    "{not json",
    "[]",
    "null",
    '"a string"',
    "12345",
    '{"graph": 7}',
    '{"graph": {"nodes": "x"}}',
    '{"graph": {"nodes": [{"block_id": null}]}}',
    '{"graph": {"nodes": [{"id": "a", "block_id": "1ff065e9-88e8-4358-9d82-8dc91f622ba9", "input_default": []}]}}',
    '{"graph": {"nodes": [], "links": [{"source_id": "a"}]}}',
    '{"active_graph_version": "latest"}',
    '{"timezone": 5}',
    "\u0000\u00ff",
]


def test_malformed_json_is_422_in_the_envelope(api):
    resp = api.post("/api/graphs", body="{not json", headers={"content-type": "application/json"})
    assert resp.status_code == 422
    body = resp.json()
    assert body["message"] == "Invalid data for POST /api/graphs"
    assert body["hint"] == "Ensure the request matches the API schema."
    assert body["detail"][0]["type"] == "json_invalid"


def test_schema_violation_is_422_with_locations(api):
    resp = api.post("/api/graphs", json_body={"graph": {"nodes": [{"id": "n"}]}})
    assert resp.status_code == 422
    locations = [err["loc"] for err in resp.json()["detail"]]
    assert ["body", "graph", "nodes", 0, "block_id"] in locations


@pytest.mark.parametrize("body", JUNK_BODIES, ids=range(len(JUNK_BODIES)))
def test_no_route_answers_500_to_junk(api, body):
    for route in routes()._routes:
        method, path = route[2].method, route[2].path
        concrete = re.sub(r"\{\w+\}", "x-1", path)
        resp = api.request(method, concrete, body=body, headers={"content-type": "application/json"})
        # 501 is upstream's deliberate "provider not configured" answer, and 503 says which
        # setting is missing (e.g. Stripe's key for the payment routes): not failures.
        assert resp.status_code < 500 or resp.status_code in (501, 503), (method, concrete, body, resp.content)
        if resp.status_code == 503:
            assert "not configured" in resp.json()["detail"], (method, concrete, resp.content)


def test_security_headers_are_set(api):
    resp = api.get("/api/graphs")
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["x-frame-options"] == "DENY"
    assert resp.headers["cache-control"] == "no-store, no-cache, must-revalidate, private"


def test_large_responses_are_gzipped(api):
    import gzip
    import json

    from tests.support.graphs import input_store_output_graph

    graph = {**input_store_output_graph(), "description": "x" * 60_000}
    gid = api.post("/api/graphs", json_body={"graph": graph}).json()["id"]
    zipped = api.get(f"/api/graphs/{gid}", headers={"accept-encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.content))["description"] == "x" * 60_000
    plain = api.get(f"/api/graphs/{gid}")
    assert "content-encoding" not in plain.headers
    small = api.get("/api/auth/user/timezone", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in small.headers


def test_openapi_describes_every_domain(anonymous_api):
    from agentplatform.api.domains import DOCS_PATHS, route_table

    paths = anonymous_api.get("/openapi.json").json()["paths"]
    for route in route_table():
        if route.path == "/health" or route.path not in DOCS_PATHS:  # not the documentation itself
            assert route.method.lower() in paths[route.path], (route.method, route.path)
