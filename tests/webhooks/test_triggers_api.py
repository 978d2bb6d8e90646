"""Webhook-triggered presets: setup-trigger, ingress (no user token) and ping."""

from __future__ import annotations

from typing import Any

import pytest

from agentplatform.config import get_settings
from tests.conftest import USER_ID
from tests.support.graphs import AGENT_OUTPUT, input_store_output_graph, link, node
from tests.support.runs import create_graph, wait_for

GENERIC_WEBHOOK_TRIGGER = "8fa8c167-2002-47ce-aba8-97572fc5d387"
WEBHOOK_KEYS = [
    "id",
    "user_id",
    "provider",
    "credentials_id",
    "webhook_type",
    "resource",
    "events",
    "config",
    "provider_webhook_id",
    "url",
]


def _trigger_graph(api: Any) -> dict[str, Any]:
    return create_graph(
        api,
        {
            "name": "On webhook",
            "description": "Echoes the payload",
            "nodes": [node("trigger", GENERIC_WEBHOOK_TRIGGER), node("out", AGENT_OUTPUT, name="payload")],
            "links": [link("trigger", "payload", "out", "value")],
        },
    )


def _setup(api: Any, graph: dict[str, Any], **trigger_config: Any) -> Any:
    body = {
        "name": "Hook",
        "description": "Runs on POST",
        "graph_id": graph["id"],
        "graph_version": graph["version"],
        "trigger_config": trigger_config,
    }
    return api.post("/api/library/presets/setup-trigger", json_body=body)


def _ingress(client: Any, webhook_id: str, payload: Any = None, provider: str = "generic_webhook", **kw: Any) -> Any:
    path = f"/api/integrations/{provider}/webhooks/{webhook_id}/ingress"
    return client.post(path, json_body={"message": "hi"} if payload is None else payload, **kw)


def _runs(api: Any) -> list[dict[str, Any]]:
    return api.get("/api/executions").json()


def test_a_trigger_graph_tells_how_to_set_it_up(api: Any) -> None:
    graph = _trigger_graph(api)

    info = graph["trigger_setup_info"]

    assert graph["has_external_trigger"] is True
    assert (info["provider"], info["credentials_input_name"]) == ("generic_webhook", None)
    assert list(info["config_schema"]["properties"]) == ["payload", "constants", "secret_token"]
    assert info["config_schema"]["properties"]["secret_token"]["secret"] is True
    (agent,) = api.get("/api/library/agents").json()["agents"]
    assert agent["trigger_setup_info"] == info
    assert create_graph(api, input_store_output_graph())["trigger_setup_info"] is None


def test_setup_trigger_creates_a_webhook_and_its_preset(api: Any) -> None:
    graph = _trigger_graph(api)

    response = _setup(api, graph, constants={"team": "ops"})

    assert response.status_code == 200, response.content
    preset = response.json()
    webhook = preset["webhook"]
    assert (preset["webhook_id"], preset["inputs"], preset["is_active"]) == (
        webhook["id"],
        {"constants": {"team": "ops"}},
        True,
    )
    assert list(webhook) == WEBHOOK_KEYS
    assert {k: webhook[k] for k in ("user_id", "provider", "webhook_type", "events")} == {
        "user_id": USER_ID,
        "provider": "generic_webhook",
        "webhook_type": "plain",
        "events": [],
    }
    assert webhook["url"].endswith(f"/api/integrations/generic_webhook/webhooks/{webhook['id']}/ingress")
    assert b'"secret"' not in response.content  # the webhook's signing secret is never shown
    assert api.get(f"/api/library/presets/{preset['id']}").json() == preset


def test_ingress_starts_one_run_of_the_bound_active_preset_only(api: Any, anonymous_api: Any) -> None:
    graph = _trigger_graph(api)
    first = _setup(api, graph, constants={"n": 1}).json()
    second = _setup(api, graph, constants={"n": 2}).json()

    response = _ingress(anonymous_api, first["webhook_id"], {"event": "push", "ref": "main"})

    assert (response.status_code, response.json()) == (200, None)
    (run,) = _runs(api)
    assert (run["graph_id"], run["preset_id"]) == (graph["id"], first["id"])
    finished = wait_for(api, graph["id"], run["id"])
    assert finished["status"] == "COMPLETED"
    assert finished["outputs"] == {"payload": [{"event": "push", "ref": "main"}]}
    assert second["id"] not in {r["preset_id"] for r in _runs(api)}


def test_an_inactive_preset_does_not_run(api: Any, anonymous_api: Any) -> None:
    graph = _trigger_graph(api)
    preset = _setup(api, graph).json()
    api.patch(f"/api/library/presets/{preset['id']}", json_body={"is_active": False})

    assert _ingress(anonymous_api, preset["webhook_id"]).status_code == 200
    assert _runs(api) == []


@pytest.mark.parametrize(
    ("webhook_id", "provider"),
    [("00000000-0000-4000-8000-000000000000", "generic_webhook"), (None, "github"), (None, "no-such")],
)
def test_unknown_webhooks_and_providers_are_404_and_start_nothing(
    api: Any, anonymous_api: Any, webhook_id: str | None, provider: str
) -> None:
    graph = _trigger_graph(api)
    preset = _setup(api, graph).json()

    response = _ingress(anonymous_api, webhook_id or preset["webhook_id"], provider=provider)

    assert response.status_code == 404
    assert set(response.json()) == {"message", "detail", "hint"}
    assert _runs(api) == []


def test_a_secret_token_must_come_in_the_header(api: Any, anonymous_api: Any) -> None:
    graph = _trigger_graph(api)
    preset = _setup(api, graph, secret_token="s3cret-value").json()
    webhook_id = preset["webhook_id"]

    missing = _ingress(anonymous_api, webhook_id)
    wrong = _ingress(anonymous_api, webhook_id, headers={"X-Webhook-Secret": "guess"})
    right = _ingress(anonymous_api, webhook_id, headers={"X-Webhook-Secret": "s3cret-value"})

    assert (missing.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
    assert missing.json()["detail"] == "Invalid or missing X-Webhook-Secret header"
    (run,) = _runs(api)
    node_inputs = [n["input_data"] for n in wait_for(api, graph["id"], run["id"])["node_executions"]]
    assert all("secret_token" not in inputs for inputs in node_inputs)


@pytest.mark.parametrize("body", ["not json", "[1, 2]"])
def test_a_payload_that_is_not_a_json_object_is_400(api: Any, anonymous_api: Any, body: str) -> None:
    graph = _trigger_graph(api)
    preset = _setup(api, graph).json()
    path = f"/api/integrations/generic_webhook/webhooks/{preset['webhook_id']}/ingress"

    response = anonymous_api.post(path, body=body, headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert _runs(api) == []


def test_a_payload_over_the_limit_is_413(api: Any, anonymous_api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = _trigger_graph(api)
    preset = _setup(api, graph).json()
    monkeypatch.setenv("WEBHOOK_PAYLOAD_MAX_BYTES", "64")
    get_settings.cache_clear()
    try:
        small = _ingress(anonymous_api, preset["webhook_id"], {"a": "b"})
        large = _ingress(anonymous_api, preset["webhook_id"], {"a": "b" * 100})
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()

    assert (small.status_code, large.status_code) == (200, 413)
    assert large.json()["detail"] == "Webhook payload exceeds 64 bytes"
    assert len(_runs(api)) == 1


def test_ping_is_the_owners_and_generic_webhooks_cannot_ping(
    api: Any, other_api: Any, anonymous_api: Any
) -> None:
    graph = _trigger_graph(api)
    preset = _setup(api, graph).json()
    path = f"/api/integrations/webhooks/{preset['webhook_id']}/ping"

    assert (api.post(path).status_code, api.post(path).json()) == (200, False)
    assert other_api.post(path).status_code == 404
    assert anonymous_api.post(path).status_code == 401


def test_setup_trigger_refuses_bad_requests_and_creates_nothing(api: Any, other_api: Any) -> None:
    graph = _trigger_graph(api)
    plain = create_graph(api, input_store_output_graph())

    no_trigger = _setup(api, plain)
    bad_config = _setup(api, graph, constants="not an object")
    foreign = _setup(other_api, graph)

    assert no_trigger.status_code == 400
    assert no_trigger.json()["detail"] == f"Graph #{plain['id']} does not have a webhook trigger node"
    assert bad_config.status_code == 400
    assert foreign.status_code == 404
    assert api.get("/api/library/presets").json()["presets"] == []


def test_deleting_the_preset_or_the_graph_retires_the_webhook(api: Any, anonymous_api: Any) -> None:
    graph = _trigger_graph(api)
    deleted_preset = _setup(api, graph).json()
    kept = _setup(api, graph).json()

    assert api.delete(f"/api/library/presets/{deleted_preset['id']}").status_code == 204
    assert _ingress(anonymous_api, deleted_preset["webhook_id"]).status_code == 404
    assert api.delete(f"/api/graphs/{graph['id']}").status_code == 200
    assert _ingress(anonymous_api, kept["webhook_id"]).status_code == 404
    assert _runs(api) == []
