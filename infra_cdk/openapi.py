"""The REST API as one OpenAPI document with API Gateway extensions. No CDK here.

Every path of ``agentplatform.api.domains.route_table()`` becomes a resource whose
methods are Lambda proxy integrations to the domain functions serving it. Defining the
API as a body, not as ``AWS::ApiGateway::Resource``/``Method`` resources, keeps the
template at a few resources however many routes the platform grows (the full AutoGPT
surface is ~160 routes; as CloudFormation resources plus permissions that would pass
the 500-resources-per-stack limit).

Each path's catch-all ``ANY`` method goes to the domain serving most of its routes, and
only routes of other domains get a method of their own. So the document grows by one
integration per path, not per route, and every request on a known path reaches a
function, as the local gateway does: a method the path lacks is FastAPI's 405, and a
CORS preflight (``OPTIONS``) is answered by the app's CORS middleware, the one place
that knows the allowed origins. Unknown paths stay API Gateway's (a 404).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from agentplatform.api.domains import Route

# FastAPI's ``{name:path}`` matches the rest of the path: API Gateway's greedy ``{name+}``.
_PATH_CONVERTER = re.compile(r"\{(\w+):path\}")
_VARIABLE = re.compile(r"^\{(\w+)(\+?)\}$")
ANY_METHOD = "x-amazon-apigateway-any-method"


def gateway_paths(routes: Iterable[Route]) -> dict[Route, str]:
    """Each route's API Gateway path template.

    API Gateway allows one variable name per position under a parent; FastAPI does not
    care, and the proxy integration passes the concrete path through, so siblings are
    renamed to the first name seen at that position.
    """
    names: dict[str, str] = {}  # parent path -> variable name used at the next position
    mapped: dict[Route, str] = {}
    for route in routes:
        segments: list[str] = []
        for raw in _PATH_CONVERTER.sub(r"{\1+}", route.path).strip("/").split("/"):
            match = _VARIABLE.match(raw)
            if match:
                parent = "/" + "/".join(segments)
                name = names.setdefault(parent, match.group(1))
                raw = "{" + name + match.group(2) + "}"
            segments.append(raw)
        mapped[route] = "/" + "/".join(segments)
    return mapped


def _parameters(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name, _greedy in re.findall(r"\{(\w+)(\+?)\}", path)
    ]


def _proxy(uri: str, path: str) -> dict[str, Any]:
    return {
        "parameters": _parameters(path),
        "responses": {"200": {"description": "Response of the domain function"}},
        "x-amazon-apigateway-integration": {
            "type": "aws_proxy",
            "httpMethod": "POST",
            "uri": uri,
            "passthroughBehavior": "when_no_match",
        },
    }


def _gateway_responses(cors_origin: str | None) -> dict[str, Any]:
    """Errors API Gateway answers itself, in the API's ``{"detail": ...}`` envelope."""
    headers = {}
    if cors_origin:
        headers["gatewayresponse.header.Access-Control-Allow-Origin"] = f"'{cors_origin}'"
    envelope = {"application/json": '{"detail": $context.error.messageString}'}
    return {
        "DEFAULT_4XX": {"responseParameters": headers, "responseTemplates": envelope},
        "DEFAULT_5XX": {"responseParameters": headers, "responseTemplates": envelope},
        # an unknown path or method: the API's 404, not API Gateway's 403
        "MISSING_AUTHENTICATION_TOKEN": {
            "statusCode": "404",
            "responseParameters": headers,
            "responseTemplates": {"application/json": '{"detail": "Not Found"}'},
        },
    }


def gateway_error_origin(allow_origins: Iterable[str]) -> str | None:
    """The origin API Gateway's own error responses allow. They cannot choose among
    several, so the first allowed one gets readable gateway errors (throttling, 404);
    function responses carry the app's own CORS headers."""
    origins = list(allow_origins)
    if not origins:
        return None
    return "*" if "*" in origins else origins[0]


def _main_domain(routes: list[Route]) -> str:
    """The domain serving most of a path's routes (the first of them on a tie)."""
    counts: dict[str, int] = {}
    for route in routes:
        counts[route.domain] = counts.get(route.domain, 0) + 1
    return max(counts, key=lambda domain: counts[domain])


def document(
    routes: Iterable[Route],
    integration_uri: Callable[[str], str],
    *,
    title: str,
    cors_origin: str | None = None,
    binary_media_types: Iterable[str] = (),
) -> dict[str, Any]:
    """The OpenAPI 3 body; ``integration_uri(domain)`` gives a domain's Lambda invocation
    URI, and ``cors_origin`` (see ``gateway_error_origin``) the origin gateway errors allow."""
    by_path: dict[str, list[Route]] = {}
    for route, path in gateway_paths(routes).items():
        by_path.setdefault(path, []).append(route)
    paths: dict[str, dict[str, Any]] = {}
    for path, served in sorted(by_path.items()):
        main = _main_domain(served)
        operations = {ANY_METHOD: _proxy(integration_uri(main), path)}
        for route in served:
            if route.domain != main:
                operations[route.method.lower()] = _proxy(integration_uri(route.domain), path)
        paths[path] = operations
    return {
        "openapi": "3.0.1",
        "info": {"title": title, "version": "1.0"},
        "paths": paths,
        "x-amazon-apigateway-binary-media-types": list(binary_media_types),
        "x-amazon-apigateway-gateway-responses": _gateway_responses(cors_origin),
    }
