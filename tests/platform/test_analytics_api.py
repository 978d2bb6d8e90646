"""``/api/analytics``: records stored per user with an id, size limits, and one EMF metric
line per record (metric names travel as metadata, never as dimensions)."""

from __future__ import annotations

import json
import uuid

from agentplatform.store.analytics import AnalyticsStore
from tests.conftest import OTHER_USER_ID, USER_ID


def _emf_lines(capsys) -> list[dict]:
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    return [json.loads(line) for line in lines]


def test_log_raw_metric_stores_it_for_the_caller_and_emits_a_metric(api, capsys):
    resp = api.post(
        "/api/analytics/log_raw_metric",
        json_body={"metric_name": "page_load_ms", "metric_value": 412.5, "data_string": "/library"},
    )
    assert resp.status_code == 200, resp.content
    record_id = resp.json()
    assert str(uuid.UUID(record_id)) == record_id
    [stored] = AnalyticsStore().metrics(USER_ID)
    assert (stored["id"], stored["metric_name"], stored["value"], stored["data_string"]) == (
        record_id, "page_load_ms", 412.5, "/library",
    )  # fmt: skip
    assert stored["ttl"] > 0
    assert AnalyticsStore().metrics(OTHER_USER_ID) == []
    [emf] = _emf_lines(capsys)
    assert emf["RawMetric"] == [412.5]
    assert emf["metric_name"] == "page_load_ms"
    metric_defs = emf["_aws"]["CloudWatchMetrics"][0]
    assert metric_defs["Namespace"] == "AgentPlatformTest"
    assert all("metric_name" not in dims for dims in metric_defs["Dimensions"])


def test_log_raw_analytics_stores_the_event(api, other_api, capsys):
    resp = api.post(
        "/api/analytics/log_raw_analytics",
        json_body={"type": "tutorial", "data": {"step": 3, "skipped": False}, "data_index": "step-3"},
    )
    assert resp.status_code == 200, resp.content
    [stored] = AnalyticsStore().events(USER_ID)
    assert (stored["id"], stored["event_type"], stored["data"], stored["data_index"]) == (
        resp.json(), "tutorial", {"step": 3, "skipped": False}, "step-3",
    )  # fmt: skip
    [emf] = _emf_lines(capsys)
    assert (emf["RawAnalyticsEvent"], emf["type"], emf["data_index"]) == ([1.0], "tutorial", "step-3")
    assert AnalyticsStore().events(OTHER_USER_ID) == []


def test_bad_or_oversized_records_are_refused_and_not_stored(api, anonymous_api):
    metric = {"metric_name": "m", "metric_value": 1, "data_string": "d"}
    for change, status in (
        ({"metric_value": -1}, 400),
        ({"metric_name": ""}, 422),
        ({"data_string": ""}, 422),
        ({"metric_name": "m" * 257}, 422),
        ({"data_string": "d" * 4097}, 422),
    ):
        resp = api.post("/api/analytics/log_raw_metric", json_body={**metric, **change})
        assert resp.status_code == status, (change, resp.content)
    nan = api.post(
        "/api/analytics/log_raw_metric",
        body='{"metric_name": "m", "metric_value": NaN, "data_string": "d"}',
        headers={"content-type": "application/json"},
    )
    # the platform's input guard refuses NaN/Infinity before any route runs
    assert (nan.status_code, nan.json()["detail"]) == (400, "NaN and Infinity are not valid JSON numbers")
    event = {"type": "t", "data": {}, "data_index": "i"}
    big = api.post("/api/analytics/log_raw_analytics", json_body={**event, "data": {"x": "y" * 17_000}})
    assert big.status_code == 400
    assert big.json()["detail"] == "data must be at most 16384 bytes of JSON"
    assert api.post("/api/analytics/log_raw_analytics", json_body={"type": "t"}).status_code == 422
    assert anonymous_api.post("/api/analytics/log_raw_metric", json_body=metric).status_code == 401
    assert anonymous_api.post("/api/analytics/log_raw_analytics", json_body=event).status_code == 401
    assert AnalyticsStore().metrics(USER_ID) == []
    assert AnalyticsStore().events(USER_ID) == []
