"""CORS preflights are the app's to answer: API Gateway's catch-all method brings every
``OPTIONS`` on a known path to a domain function (infra_cdk/openapi.py), whose CORS
middleware knows the allowed origins (``BACKEND_CORS_ALLOW_ORIGINS``)."""

from __future__ import annotations

from typing import Any

import pytest

from agentplatform.api.lambda_entry import rest_lambda
from agentplatform.config import get_settings
from local.apigw import proxy_event
from local.lambdas import LambdaContext

ORIGINS = "https://app.example.com,https://staging.example.com"


@pytest.fixture
def external(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("BACKEND_CORS_ALLOW_ORIGINS", ORIGINS)
    get_settings.cache_clear()
    yield rest_lambda("external")
    get_settings.cache_clear()


def _preflight(
    handler: Any, origin: str, path: str = "/external-api/v1/graphs/g/execute/1"
) -> dict[str, Any]:
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "X-API-Key, Idempotency-Key, Content-Type",
    }
    response: dict[str, Any] = handler(proxy_event("OPTIONS", path, headers=headers), LambdaContext())
    return response


def _headers(response: dict[str, Any]) -> dict[str, str]:
    return {name.lower(): value for name, value in response["headers"].items()}


@pytest.mark.parametrize("origin", ORIGINS.split(","))
def test_each_allowed_origin_is_echoed_with_credentials(external: Any, origin: str) -> None:
    response = _preflight(external, origin)
    headers = _headers(response)
    assert response["statusCode"] == 200
    assert headers["access-control-allow-origin"] == origin
    assert headers["access-control-allow-credentials"] == "true"
    assert "POST" in headers["access-control-allow-methods"].split(", ")
    assert headers["access-control-allow-headers"] == "X-API-Key, Idempotency-Key, Content-Type"
    assert headers["access-control-max-age"] == "600"
    assert headers["vary"].split(", ")[0] == "Origin"


def test_another_origin_is_refused(external: Any) -> None:
    response = _preflight(external, "https://evil.example")
    assert response["statusCode"] == 400
    assert "access-control-allow-origin" not in _headers(response)
