"""Which routers each REST Lambda mounts. The one place that splits the API by domain.

Each domain is its own Lambda (``functions/rest/<domain>.py``) so a cold start imports
only its routers, and IAM can be scoped per domain. The CDK app and the local cloud both
read this mapping to route every path to the right function.
"""

from __future__ import annotations

from dataclasses import dataclass

DOMAINS: dict[str, tuple[str, ...]] = {
    "users": ("agentplatform.api.routers.users",),
    "graphs": ("agentplatform.api.routers.graphs",),
    "blocks": ("agentplatform.api.routers.blocks",),
    "admin": ("agentplatform.api.routers.admin",),
    "integrations": ("agentplatform.api.routers.integrations",),
    "executions": ("agentplatform.api.routers.executions", "agentplatform.api.routers.executions_admin"),
    "api_keys": ("agentplatform.api.routers.api_keys",),
    "oauth": ("agentplatform.api.routers.oauth",),
    # /external-api/v1: API-key and OAuth-token callers (API Gateway maps the prefix here too)
    "external": (
        "agentplatform.api.routers.external",
        "agentplatform.api.routers.external_integrations",
        "agentplatform.api.routers.external_store",
    ),
    "library": ("agentplatform.api.routers.library_agents", "agentplatform.api.routers.library_presets"),
    "credits": ("agentplatform.api.routers.credits", "agentplatform.api.routers.credits_admin"),
    "schedules": ("agentplatform.api.routers.schedules",),
    # its own function: ingress is public (no user token) and needs no credentials key
    "webhooks": ("agentplatform.api.routers.webhooks",),
    "review": ("agentplatform.api.routers.review",),
    # one-click unsubscribe and bounce/complaint webhooks (no user token: signed token / webhook token)
    "email": ("agentplatform.api.routers.email",),
    # Small per-user services a frontend calls on every page, in one warm function:
    # uploads, onboarding, raw analytics and the Otto proxy.
    "platform": (
        "agentplatform.api.routers.files",
        "agentplatform.api.routers.onboarding",
        "agentplatform.api.routers.analytics",
        "agentplatform.api.routers.otto",
    ),
    # the marketplace (/api/store, incl. /api/store/admin) and the builder's block menu
    "store": ("agentplatform.api.routers.store", "agentplatform.api.routers.store_admin"),
    "builder": ("agentplatform.api.routers.builder",),
}

# Serves /docs, /redoc and their assets, /openapi.json (the whole API, built on first
# request) and /health.
DOCS_DOMAIN = "docs"
DOCS_PATHS = ("/health", "/docs", "/redoc", "/docs/assets/{name}", "/openapi.json")


@dataclass(frozen=True)
class Route:
    domain: str
    method: str
    path: str


def route_table() -> list[Route]:
    """Every (method, path template) of the API and the domain Lambda that serves it.

    ``/health`` and ``/openapi.json`` exist in every app; the deployed API sends them,
    and the documentation pages, to the docs function.
    """
    import importlib

    from fastapi.routing import APIRoute

    routes = [Route(DOCS_DOMAIN, "GET", path) for path in DOCS_PATHS]
    for domain, modules in DOMAINS.items():
        for module in modules:
            for route in importlib.import_module(module).router.routes:
                if isinstance(route, APIRoute):
                    routes.extend(Route(domain, method, route.path) for method in sorted(route.methods or ()))
    return routes
