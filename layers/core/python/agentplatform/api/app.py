"""The FastAPI app factory: one app per API domain, same middleware and errors for all."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI

from agentplatform.api.domains import DOCS_DOMAIN, DOMAINS
from agentplatform.api.errors import (
    ERROR_RESPONSES,
    ErrorEnvelope,
    UnhandledErrorMiddleware,
    install_error_handlers,
)
from agentplatform.api.input_guard import InputGuardMiddleware
from agentplatform.api.middleware import SecurityHeadersMiddleware
from agentplatform.api.routers import health
from agentplatform.config import get_settings

GZIP_MINIMUM_BYTES = 50_000


def _bare_app(*modules: str) -> FastAPI:
    app = FastAPI(
        title="AutoGPT Agent Platform (serverless)",
        summary="AutoGPT-compatible agent platform API",
        version="0.1.0",
        docs_url=None,  # the docs function serves /docs and /redoc without a CDN (routers/docs.py)
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.include_router(health.router)
    for module in modules:
        router = importlib.import_module(module).router
        _document_route_errors(router)
        app.include_router(router, responses=ERROR_RESPONSES)
    return app


def _document_route_errors(router: APIRouter) -> None:
    """Each route documents the error bodies it can answer.

    A route entry replaces the router's entry for that status as a whole, so without
    this a route that words its 404 would document that 404 with no body at all. And
    FastAPI documents an error model under the route's own media type: a route that
    answers plain text or a redirect would claim its JSON error bodies are text.
    """
    for route in router.routes:
        responses = getattr(route, "responses", None)
        if responses is None:
            continue
        for status, entry in responses.items():
            if int(status) >= 400 and "model" not in entry:
                entry["model"] = ERROR_RESPONSES.get(int(status), {}).get("model", ErrorEnvelope)
        media_type = getattr(getattr(route, "response_class", None), "media_type", None)
        if media_type not in (None, "application/json"):
            _json_error_bodies(route, responses)


def _json_error_bodies(route: Any, responses: dict[int | str, dict[str, Any]]) -> None:
    """The route's error entries with their bodies as JSON schemas, not models (which
    FastAPI would put under the route's media type)."""
    for status, documented in {**ERROR_RESPONSES, **responses}.items():
        if int(status) < 400:
            continue
        model = documented.get("model") or ERROR_RESPONSES.get(int(status), {}).get("model", ErrorEnvelope)
        schema = {"$ref": f"#/components/schemas/{model.__name__}"}
        responses[status] = {
            "description": documented.get("description", "Error"),
            "content": {"application/json": {"schema": schema}},
        }
        getattr(route, "response_fields", {}).pop(status, None)


def _whole_api_schema(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The OpenAPI schema of every domain, built (all routers imported) on first request.

    The docs function also answers ``/health``; its cold start stays a domain's size.
    """

    def schema() -> dict[str, Any]:
        if app.openapi_schema is None:
            every_router = [module for modules in DOMAINS.values() for module in modules]
            app.openapi_schema = _bare_app(*every_router).openapi()
        return app.openapi_schema

    return schema


def create_app(domain: str) -> FastAPI:
    if domain == DOCS_DOMAIN:
        app = _bare_app("agentplatform.api.routers.docs")
        app.openapi = _whole_api_schema(app)  # type: ignore[method-assign]
    else:
        app = _bare_app(*DOMAINS[domain])
    install_error_handlers(app)

    # add_middleware wraps: the last one added runs first on the way in.
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(InputGuardMiddleware)  # inside CORS and security headers: its 400s get them
    settings = get_settings()
    if settings.cors_allow_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_allow_origins),
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    from starlette.middleware.gzip import GZipMiddleware

    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES)
    app.add_middleware(SecurityHeadersMiddleware)
    return app
