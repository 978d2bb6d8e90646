"""The REST API body built from the route table (pure Python, no synthesis)."""

from __future__ import annotations

from typing import Any

import pytest

from agentplatform.api.domains import Route
from infra_cdk.openapi import ANY_METHOD, document, gateway_error_origin, gateway_paths

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
    body = document(routes, _uri, title="t")
    assert body["paths"]["/api/files/{file_path+}"][ANY_METHOD]["parameters"][0]["name"] == "file_path"


def _target(operation: dict[str, Any]) -> str:
    return str(operation["x-amazon-apigateway-integration"]["uri"])


def test_a_path_of_one_domain_is_one_catch_all_method() -> None:
    routes = [Route("graphs", "GET", "/api/graphs"), Route("graphs", "POST", "/api/graphs")]
    operations = document(routes, _uri, title="t")["paths"]["/api/graphs"]
    assert list(operations) == [ANY_METHOD]
    assert _target(operations[ANY_METHOD]) == "uri:graphs"
    assert operations[ANY_METHOD]["x-amazon-apigateway-integration"]["type"] == "aws_proxy"


def test_methods_of_other_domains_keep_their_own_integration() -> None:
    routes = [
        Route("executions", "GET", "/api/x"),
        Route("graphs", "POST", "/api/x"),
        Route("graphs", "DELETE", "/api/x"),
    ]
    operations = document(routes, _uri, title="t")["paths"]["/api/x"]
    # the catch-all goes to the domain serving most of the path (it also gets OPTIONS)
    assert {method: _target(op) for method, op in operations.items()} == {
        ANY_METHOD: "uri:graphs",
        "get": "uri:executions",
    }


def test_gateway_errors_allow_the_first_origin_or_any() -> None:
    assert gateway_error_origin(()) is None
    assert gateway_error_origin(("https://a.example", "https://b.example")) == "https://a.example"
    assert gateway_error_origin(("https://a.example", "*")) == "*"
    responses = document([], _uri, title="t", cors_origin="https://a.example")[
        "x-amazon-apigateway-gateway-responses"
    ]
    for response in responses.values():
        assert response["responseParameters"] == {
            "gatewayresponse.header.Access-Control-Allow-Origin": "'https://a.example'"
        }


def test_gateway_errors_use_the_api_envelope_and_unknown_routes_are_404() -> None:
    responses = document([], _uri, title="t")["x-amazon-apigateway-gateway-responses"]
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["responseTemplates"] == {
        "application/json": '{"detail": "Not Found"}'
    }
    assert responses["DEFAULT_5XX"]["responseTemplates"]["application/json"].startswith('{"detail": ')
