"""The REST API body built from the route table (pure Python, no synthesis)."""

from __future__ import annotations

import pytest

from agentplatform.api.domains import Route
from infra_cdk.openapi import Cors, document, gateway_paths

pytestmark = pytest.mark.infra


def _uri(domain: str) -> str:
    return f"uri:{domain}"


def test_sibling_variables_share_the_first_name_and_static_siblings_stay() -> None:
    routes = [
        Route("graphs", "GET", "/api/graphs/{graph_id}/versions/{version}"),
        Route("graphs", "PUT", "/api/graphs/{graph_id}/versions/active"),
        Route("executions", "GET", "/api/graphs/{id}/executions"),
    ]
    assert list(gateway_paths(routes).values()) == [
        "/api/graphs/{graph_id}/versions/{version}",
        "/api/graphs/{graph_id}/versions/active",
        "/api/graphs/{graph_id}/executions",
    ]


def test_fastapi_path_converter_becomes_a_greedy_variable() -> None:
    routes = [Route("files", "GET", "/api/files/{file_path:path}")]
    assert gateway_paths(routes)[routes[0]] == "/api/files/{file_path+}"
    body = document(routes, _uri, title="t", cors=None)
    assert body["paths"]["/api/files/{file_path+}"]["get"]["parameters"][0]["name"] == "file_path"


def test_methods_of_one_path_go_to_their_own_domains() -> None:
    routes = [Route("graphs", "GET", "/api/x"), Route("executions", "POST", "/api/x")]
    operations = document(routes, _uri, title="t", cors=None)["paths"]["/api/x"]
    assert operations["get"]["x-amazon-apigateway-integration"]["uri"] == "uri:graphs"
    assert operations["post"]["x-amazon-apigateway-integration"]["uri"] == "uri:executions"
    assert "options" not in operations


def test_single_origin_preflight_is_a_mock_with_credentials() -> None:
    body = document(
        [Route("graphs", "GET", "/api/graphs")], _uri, title="t", cors=Cors(("https://app.example",))
    )
    preflight = body["paths"]["/api/graphs"]["options"]["x-amazon-apigateway-integration"]
    assert preflight["type"] == "mock"
    headers = preflight["responses"]["default"]["responseParameters"]
    assert headers["method.response.header.Access-Control-Allow-Origin"] == "'https://app.example'"
    assert headers["method.response.header.Access-Control-Allow-Methods"] == "'GET,OPTIONS'"
    assert headers["method.response.header.Access-Control-Allow-Credentials"] == "'true'"
    assert preflight["responses"]["default"]["responseTemplates"]["application/json"] == ""


def test_several_origins_are_echoed_only_when_allowed() -> None:
    cors = Cors(("https://a.example", "https://b.example"))
    body = document([Route("graphs", "GET", "/api/graphs")], _uri, title="t", cors=cors)
    template = body["paths"]["/api/graphs"]["options"]["x-amazon-apigateway-integration"]["responses"][
        "default"
    ]["responseTemplates"]["application/json"]
    assert '$origin == "https://a.example" || $origin == "https://b.example"' in template
    assert "responseOverride.header.Access-Control-Allow-Origin = $origin" in template


def test_any_origin_preflight_sends_no_credentials_header() -> None:
    body = document([Route("graphs", "GET", "/api/graphs")], _uri, title="t", cors=Cors(("*",)))
    headers = body["paths"]["/api/graphs"]["options"]["x-amazon-apigateway-integration"]["responses"][
        "default"
    ]["responseParameters"]
    assert headers["method.response.header.Access-Control-Allow-Origin"] == "'*'"
    assert "method.response.header.Access-Control-Allow-Credentials" not in headers


def test_gateway_errors_use_the_api_envelope_and_unknown_routes_are_404() -> None:
    responses = document([], _uri, title="t", cors=None)["x-amazon-apigateway-gateway-responses"]
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["responseTemplates"] == {
        "application/json": '{"detail": "Not Found"}'
    }
    assert responses["DEFAULT_5XX"]["responseTemplates"]["application/json"].startswith('{"detail": ')
