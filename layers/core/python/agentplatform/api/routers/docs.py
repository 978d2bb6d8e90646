"""Swagger UI (``/docs``) and ReDoc (``/redoc``), with their assets served from the
``fastapi-offline`` package instead of a CDN: the docs work offline and behind egress
rules. Asset and schema URLs are relative, so they resolve under a stage prefix too
(``/prod/docs`` loads ``/prod/docs/assets/…`` and ``/prod/openapi.json``).
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

TITLE = "AutoGPT Agent Platform (serverless)"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
# Assets change only with the pinned package version: let browsers keep them a day.
_ASSET_CACHE = "public, max-age=86400"

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def assets_dir() -> Path:
    """The package's ``static`` folder, found without importing the package."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fastapi-offline is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="openapi.json",
        title=f"{TITLE} - Swagger UI",
        swagger_js_url="docs/assets/swagger-ui-bundle.js",
        swagger_css_url="docs/assets/swagger-ui.css",
        swagger_favicon_url="docs/assets/favicon.png",
        oauth2_redirect_url=None,
    )


@router.get("/redoc")
def redoc() -> HTMLResponse:
    return get_redoc_html(
        openapi_url="openapi.json",
        title=f"{TITLE} - ReDoc",
        redoc_js_url="docs/assets/redoc.standalone.js",
        redoc_favicon_url="docs/assets/favicon.png",
        with_google_fonts=False,
    )


@router.get("/docs/assets/{name}")
def asset(name: str) -> Response:
    media_type = ASSETS.get(name)
    if media_type is None:  # only the known files: a name is never a path
        raise HTTPException(404, detail="Not Found")
    content = (assets_dir() / name).read_bytes()
    return Response(content, media_type=media_type, headers={"Cache-Control": _ASSET_CACHE})
