"""``/external-api/v1``: every route with an API key, its exact shape and each auth failure."""

from __future__ import annotations

import pytest

from tests.conftest import OTHER_USER_ID, USER_ID
from tests.support.external import create_api_key, key_client
from tests.support.graphs import input_store_output_graph
from tests.support.runs import create_graph, wait_for

CALCULATOR = "b1ab9b19-67a6-406d-abf5-2dba76d00c79"

# (method, path, required permission, JSON body)
ROUTES = [
    ("GET", "/external-api/v1/me", "IDENTITY", None),
    ("GET", "/external-api/v1/blocks", "READ_BLOCK", None),
    ("POST", f"/external-api/v1/blocks/{CALCULATOR}/execute", "EXECUTE_BLOCK", {}),
    ("POST", "/external-api/v1/graphs/g/execute/1", "EXECUTE_GRAPH", {}),
    ("GET", "/external-api/v1/graphs/g/executions/e/results", "READ_GRAPH", None),
    ("GET", "/external-api/v1/integrations/providers", "READ_INTEGRATIONS", None),
    ("GET", "/external-api/v1/integrations/credentials", "READ_INTEGRATIONS", None),
    ("GET", "/external-api/v1/integrations/openai/credentials", "READ_INTEGRATIONS", None),
    ("POST", "/external-api/v1/integrations/openai/credentials", "MANAGE_INTEGRATIONS", {}),
    ("DELETE", "/external-api/v1/integrations/openai/credentials/c", "DELETE_INTEGRATIONS", None),
    ("POST", "/external-api/v1/integrations/google/oauth/initiate", "MANAGE_INTEGRATIONS", {}),
    ("POST", "/external-api/v1/integrations/google/oauth/complete", "MANAGE_INTEGRATIONS", {}),
]


@pytest.mark.parametrize(("method", "path", "permission", "body"), ROUTES)
def test_each_route_answers_401_without_credentials_and_403_without_its_permission(
    api, anonymous_api, method, path, permission, body
):
    missing = anonymous_api.request(method, path, json_body=body)
    assert missing.status_code == 401
    assert missing.json() == {"detail": "Missing authentication. Provide API key or access token."}

    unknown = key_client("agpt_" + "x" * 43).request(method, path, json_body=body)
    assert unknown.status_code == 401
    assert unknown.json() == {"detail": "Invalid API key"}

    others = [p for p in ("IDENTITY", "READ_GRAPH", "READ_BLOCK") if p != permission]
    key, _ = create_api_key(api, others)
    forbidden = key_client(key).request(method, path, json_body=body)
    assert forbidden.status_code == 403
    assert forbidden.json() == {"detail": f"Missing required permission: {permission}"}


def test_revoked_and_suspended_keys_and_user_jwts_are_401(api):
    revoked, revoked_info = create_api_key(api, ["IDENTITY"])
    suspended, suspended_info = create_api_key(api, ["IDENTITY"])
    assert api.delete(f"/api/api-keys/{revoked_info['id']}").status_code == 200
    assert api.post(f"/api/api-keys/{suspended_info['id']}/suspend").status_code == 200

    for key in (revoked, suspended, "not-a-key", "agpt_short"):
        response = key_client(key).get("/external-api/v1/me")
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid API key"}

    # A user's JWT is not an access token of the OAuth provider.
    as_user = api.get("/external-api/v1/me")
    assert as_user.status_code == 401
    assert as_user.json() == {"detail": "Invalid token: access token not found"}


def test_me(api):
    api.post("/api/auth/user/timezone", json_body={"timezone": "Europe/Amsterdam"})
    key, _ = create_api_key(api, ["IDENTITY"])

    response = key_client(key).get("/external-api/v1/me")

    assert response.status_code == 200
    assert response.json() == {"id": USER_ID, "name": None, "email": "", "timezone": "Europe/Amsterdam"}


def test_blocks_are_the_catalogue_without_costs(api):
    key, _ = create_api_key(api, ["READ_BLOCK"])

    external = key_client(key).get("/external-api/v1/blocks")

    assert external.status_code == 200
    internal = api.get("/api/blocks").json()
    assert external.json() == [{k: v for k, v in entry.items() if k != "costs"} for entry in internal]
    assert all("costs" not in entry for entry in external.json())


def test_block_execute(api):
    key, _ = create_api_key(api, ["EXECUTE_BLOCK"])
    client = key_client(key)

    response = client.post(
        f"/external-api/v1/blocks/{CALCULATOR}/execute",
        json_body={"operation": "Add", "a": 2, "b": 3, "round_result": False},
    )
    assert response.status_code == 200
    assert response.json() == {"result": [5.0]}

    missing = client.post(
        "/external-api/v1/blocks/00000000-0000-0000-0000-000000000000/execute", json_body={}
    )
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Block #00000000-0000-0000-0000-000000000000 not found."


def test_graph_execute_and_results(api):
    graph = create_graph(api, input_store_output_graph())
    key, _ = create_api_key(api, ["EXECUTE_GRAPH", "READ_GRAPH"])
    client = key_client(key)

    started = client.post(
        f"/external-api/v1/graphs/{graph['id']}/execute/{graph['version']}",
        json_body={"node_input": {"x": 7}},
    )
    assert started.status_code == 200
    assert list(started.json()) == ["id"]
    run_id = started.json()["id"]
    run = wait_for(api, graph["id"], run_id)
    assert run["status"] == "COMPLETED"

    results = client.get(f"/external-api/v1/graphs/{graph['id']}/executions/{run_id}/results")

    assert results.status_code == 200
    body = results.json()
    assert list(body) == ["execution_id", "status", "nodes", "output"]
    assert body["execution_id"] == run_id
    assert body["status"] == "COMPLETED"
    assert body["output"] == [{"y": 7}]
    assert all(list(node) == ["node_id", "input", "output"] for node in body["nodes"])
    by_id = {node["node_id"]: node for node in body["nodes"]}
    output_node = next(n for n in graph["nodes"] if n["input_default"].get("name") == "y")
    # ``input`` is the node's "value" input when it has one, as upstream.
    assert by_id[output_node["id"]]["input"] == 7
    assert by_id[output_node["id"]]["output"]["output"] == [7]


def test_graph_execute_bad_input_is_400_and_unknown_results_404(api):
    graph = create_graph(api, input_store_output_graph())
    key, _ = create_api_key(api, ["EXECUTE_GRAPH", "READ_GRAPH"])
    client = key_client(key)

    bad_version = client.post(f"/external-api/v1/graphs/{graph['id']}/execute/99", json_body={})
    assert bad_version.status_code == 404

    results = client.get(f"/external-api/v1/graphs/{graph['id']}/executions/nope/results")
    assert results.status_code == 404
    assert results.json()["detail"] == "Graph execution #nope not found."

    not_a_body = client.post(
        f"/external-api/v1/graphs/{graph['id']}/execute/{graph['version']}", json_body={"node_input": [1]}
    )
    assert not_a_body.status_code == 422


def test_a_key_of_one_user_never_reads_or_runs_anothers_graph(api, other_api):
    graph = create_graph(api, input_store_output_graph())
    started = api.post(
        f"/api/graphs/{graph['id']}/execute/{graph['version']}", json_body={"inputs": {"x": 1}}
    )
    run_id = started.json()["id"]
    wait_for(api, graph["id"], run_id)
    other_key, other_info = create_api_key(other_api)
    assert other_info["user_id"] == OTHER_USER_ID
    intruder = key_client(other_key)

    run = intruder.post(f"/external-api/v1/graphs/{graph['id']}/execute/{graph['version']}", json_body={})
    read = intruder.get(f"/external-api/v1/graphs/{graph['id']}/executions/{run_id}/results")

    assert run.status_code == 404
    assert run.json()["detail"] == f"Graph #{graph['id']} not found."
    assert read.status_code == 404
    assert api.get(f"/api/graphs/{graph['id']}/executions").json()["pagination"]["total_items"] == 1
    assert other_api.get("/api/executions").json() == []


def test_integrations_providers_and_credentials(api, other_api, kms_key):
    key, _ = create_api_key(api, ["READ_INTEGRATIONS", "MANAGE_INTEGRATIONS", "DELETE_INTEGRATIONS"])
    client = key_client(key)

    providers = client.get("/external-api/v1/integrations/providers")
    assert providers.status_code == 200
    by_name = {p["name"]: p for p in providers.json()}
    assert list(by_name["github"]) == [
        "name",
        "supports_oauth",
        "supports_api_key",
        "supports_user_password",
        "supports_host_scoped",
        "default_scopes",
    ]
    assert (by_name["github"]["supports_oauth"], by_name["github"]["default_scopes"]) == (True, [])
    assert (by_name["discord"]["supports_oauth"], by_name["discord"]["default_scopes"]) == (
        True,
        ["identify"],
    )
    assert by_name["google"]["default_scopes"] == [
        "https://www.googleapis.com/auth/userinfo.email",
        "https://www.googleapis.com/auth/userinfo.profile",
        "openid",
    ]
    assert by_name["openai"]["supports_oauth"] is False and by_name["openai"]["supports_api_key"] is True
    # a provider whose OAuth sign-in this platform does not serve (oauth/initiate: 404)
    assert (by_name["notion"]["supports_oauth"], by_name["notion"]["default_scopes"]) == (False, [])
    assert by_name["smtp"]["supports_user_password"] is True
    assert by_name["http"]["supports_host_scoped"] is True

    created = client.post(
        "/external-api/v1/integrations/openai/credentials",
        json_body={"type": "api_key", "api_key": "sk-secret-value", "title": "mine"},
    )
    assert created.status_code == 201
    cred = created.json()
    assert list(cred) == ["id", "provider", "type", "title"]
    assert cred["provider"] == "openai" and cred["type"] == "api_key" and cred["title"] == "mine"

    listed = client.get("/external-api/v1/integrations/credentials")
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()] == [cred["id"]]
    assert b"sk-secret-value" not in listed.content
    assert [c["id"] for c in client.get("/external-api/v1/integrations/openai/credentials").json()] == [
        cred["id"]
    ]
    assert client.get("/external-api/v1/integrations/anthropic/credentials").json() == []
    # The same credential through the internal API: it is the caller's own.
    assert [c["id"] for c in api.get("/api/integrations/credentials").json()] == [cred["id"]]

    host = client.post(
        "/external-api/v1/integrations/http/credentials",
        json_body={"type": "host_scoped", "host": "api.example.com", "headers": {"X-Key": "v"}, "title": "h"},
    )
    assert host.status_code == 201 and host.json()["type"] == "host_scoped"
    oauth = client.post(
        "/external-api/v1/integrations/github/credentials",
        json_body={"type": "oauth2", "access_token": "t", "title": "no"},
    )
    assert oauth.status_code == 422
    bad_provider = client.post(
        "/external-api/v1/integrations/Not A Provider/credentials",
        json_body={"type": "api_key", "api_key": "k", "title": "t"},
    )
    assert bad_provider.status_code == 404

    other_key, _ = create_api_key(other_api)
    stolen = key_client(other_key).delete(f"/external-api/v1/integrations/openai/credentials/{cred['id']}")
    assert stolen.status_code == 404
    assert stolen.json() == {"detail": "Credentials not found"}
    wrong_provider = client.delete(f"/external-api/v1/integrations/anthropic/credentials/{cred['id']}")
    assert wrong_provider.status_code == 404

    deleted = client.delete(f"/external-api/v1/integrations/openai/credentials/{cred['id']}")
    assert deleted.status_code == 200
    assert deleted.json() == {"deleted": True, "credentials_id": cred["id"]}
    assert [c["id"] for c in client.get("/external-api/v1/integrations/credentials").json()] == [
        host.json()["id"]
    ]


def test_key_usage_is_recorded(api):
    key, info = create_api_key(api, ["IDENTITY"])
    assert key_client(key).get("/external-api/v1/me").status_code == 200

    assert api.get(f"/api/api-keys/{info['id']}").json()["last_used_at"] is not None
