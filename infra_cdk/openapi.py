"""The REST API as one OpenAPI document with API Gateway extensions. No CDK here.

Every route of ``agentplatform.api.domains.route_table()`` becomes a resource + method
with a Lambda proxy integration to its domain's function. Defining the API as a body,
not as ``AWS::ApiGateway::Resource``/``Method`` resources, keeps the template at a few
resources however many routes the platform grows (the full AutoGPT surface is ~160
routes; as CloudFormation resources plus preflights and permissions that would pass
the 500-resources-per-stack limit).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from agentplatform.api.domains import Route

# FastAPI's ``{name:path}`` matches the rest of the path: API Gateway's greedy ``{name+}``.
_PATH_CONVERTER = re.compile(r"\{(\w+):path\}")
_VARIABLE = re.compile(r"^\{(\w+)(\+?)\}$")

PREFLIGHT_HEADERS = "Content-Type,Authorization,X-API-Key,Idempotency-Key,X-Requested-With,Accept"
PREFLIGHT_MAX_AGE = "600"


@dataclass(frozen=True)
class Cors:
    allow_origins: tuple[str, ...]

    @property
    def any_origin(self) -> bool:
        return "*" in self.allow_origins


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


def _origin_echo_template(origins: tuple[str, ...]) -> str:
    """VTL: reflect the caller's Origin when it is one of several allowed origins."""
    allowed = " || ".join(f"$origin == {json.dumps(origin)}" for origin in origins)
    return (
        '#set($origin = $input.params().header.get("Origin"))\n'
        '#if("$!origin" == "")#set($origin = $input.params().header.get("origin"))#end\n'
        f"#if({allowed})\n"
        "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)\n"
        "#end\n"
    )


def _preflight(path: str, methods: list[str], cors: Cors) -> dict[str, Any]:
    first = "*" if cors.any_origin else cors.allow_origins[0]
    headers = {
        "Access-Control-Allow-Origin": f"'{first}'",
        "Access-Control-Allow-Methods": "'" + ",".join([*sorted(methods), "OPTIONS"]) + "'",
        "Access-Control-Allow-Headers": f"'{PREFLIGHT_HEADERS}'",
        "Access-Control-Max-Age": f"'{PREFLIGHT_MAX_AGE}'",
    }
    if not cors.any_origin:
        # the API's own CORS middleware allows credentials; the preflight must agree
        headers["Access-Control-Allow-Credentials"] = "'true'"
        headers["Vary"] = "'Origin'"
    template = (
        "" if cors.any_origin or len(cors.allow_origins) == 1 else _origin_echo_template(cors.allow_origins)
    )
    return {
        "parameters": _parameters(path),
        "responses": {
            "204": {
                "description": "CORS preflight",
                "headers": {name: {"schema": {"type": "string"}} for name in headers},
            }
        },
        "x-amazon-apigateway-integration": {
            "type": "mock",
            "requestTemplates": {"application/json": '{"statusCode": 204}'},
            "passthroughBehavior": "when_no_match",
            "responses": {
                "default": {
                    "statusCode": "204",
                    "responseParameters": {f"method.response.header.{k}": v for k, v in headers.items()},
                    "responseTemplates": {"application/json": template},
                }
            },
        },
    }


def _gateway_responses(cors: Cors | None) -> dict[str, Any]:
    """Errors API Gateway answers itself, in the API's ``{"detail": ...}`` envelope."""
    headers = {}
    if cors is not None:
        # Gateway responses cannot choose among origins: the first allowed one gets readable
        # gateway errors (throttling, 404); function responses carry the API's own CORS headers.
        first = "*" if cors.any_origin else cors.allow_origins[0]
        headers["gatewayresponse.header.Access-Control-Allow-Origin"] = f"'{first}'"
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


def document(
    routes: Iterable[Route],
    integration_uri: Callable[[str], str],
    *,
    title: str,
    cors: Cors | None,
    binary_media_types: Iterable[str] = (),
) -> dict[str, Any]:
    """The OpenAPI 3 body; ``integration_uri(domain)`` gives a domain's Lambda invocation URI."""
    routes = list(routes)
    paths: dict[str, dict[str, Any]] = {}
    for route, path in gateway_paths(routes).items():
        paths.setdefault(path, {})[route.method.lower()] = _proxy(integration_uri(route.domain), path)
    if cors is not None and cors.allow_origins:
        for path, operations in paths.items():
            operations.setdefault("options", _preflight(path, [m.upper() for m in operations], cors))
    return {
        "openapi": "3.0.1",
        "info": {"title": title, "version": "1.0"},
        "paths": dict(sorted(paths.items())),
        "x-amazon-apigateway-binary-media-types": list(binary_media_types),
        "x-amazon-apigateway-gateway-responses": _gateway_responses(
            cors if cors and cors.allow_origins else None
        ),
    }
