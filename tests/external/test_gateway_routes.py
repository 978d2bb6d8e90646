"""API Gateway serves the new domains: every route is in the route table and the deployed
API document routes the external paths to the external function."""

from __future__ import annotations

from agentplatform.api.domains import route_table
from infra_cdk.openapi import ANY_METHOD, document

EXTERNAL = {
    ("GET", "/external-api/v1/me"),
    ("GET", "/external-api/v1/blocks"),
    ("POST", "/external-api/v1/blocks/{block_id}/execute"),
    ("POST", "/external-api/v1/graphs/{graph_id}/execute/{graph_version}"),
    ("GET", "/external-api/v1/graphs/{graph_id}/executions/{graph_exec_id}/results"),
    ("GET", "/external-api/v1/integrations/providers"),
    ("GET", "/external-api/v1/integrations/credentials"),
    ("GET", "/external-api/v1/integrations/{provider}/credentials"),
    ("POST", "/external-api/v1/integrations/{provider}/credentials"),
    ("DELETE", "/external-api/v1/integrations/{provider}/credentials/{cred_id}"),
    ("POST", "/external-api/v1/integrations/{provider}/oauth/initiate"),
    ("POST", "/external-api/v1/integrations/{provider}/oauth/complete"),
    # the marketplace (api/routers/external_store.py)
    ("GET", "/external-api/v1/store/agents"),
    ("GET", "/external-api/v1/store/agents/{username}/{agent_name}"),
    ("GET", "/external-api/v1/store/creators"),
    ("GET", "/external-api/v1/store/creators/{username}"),
    ("POST", "/external-api/v1/tools/find-agent"),
    ("POST", "/external-api/v1/tools/run-agent"),
}
API_KEYS = {
    ("POST", "/api/api-keys"),
    ("GET", "/api/api-keys"),
    ("GET", "/api/api-keys/{key_id}"),
    ("DELETE", "/api/api-keys/{key_id}"),
    ("POST", "/api/api-keys/{key_id}/suspend"),
    ("PUT", "/api/api-keys/{key_id}/permissions"),
}
OAUTH = {
    ("GET", "/api/oauth/app/{client_id}"),
    ("POST", "/api/oauth/authorize"),
    ("POST", "/api/oauth/token"),
    ("POST", "/api/oauth/introspect"),
    ("POST", "/api/oauth/revoke"),
    ("GET", "/api/oauth/apps/mine"),
    ("PATCH", "/api/oauth/apps/{app_id}/status"),
    ("PATCH", "/api/oauth/apps/{app_id}/logo"),
    ("POST", "/api/oauth/apps/{app_id}/logo/upload"),
    ("GET", "/api/oauth/apps/{app_id}/logo/{file_name}"),  # an uploaded logo (redirect)
}


def _routes_of(domain: str) -> set[tuple[str, str]]:
    return {(r.method, r.path) for r in route_table() if r.domain == domain}


def test_each_domain_serves_exactly_its_routes():
    assert _routes_of("external") == EXTERNAL
    assert _routes_of("api_keys") == API_KEYS
    assert _routes_of("oauth") == OAUTH


def test_the_deployed_document_routes_external_paths_to_the_external_function():
    body = document(route_table(), lambda domain: f"arn:{domain}", title="t")
    external = {path: ops for path, ops in body["paths"].items() if path.startswith("/external-api/")}
    assert external
    for operations in external.values():
        assert list(operations) == [ANY_METHOD]
        assert operations[ANY_METHOD]["x-amazon-apigateway-integration"]["uri"] == "arn:external"
