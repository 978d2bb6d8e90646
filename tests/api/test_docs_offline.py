"""Swagger UI and ReDoc load with no CDN: every asset comes from the docs function."""

from __future__ import annotations

import re

import pytest


def _asset_urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["']([^"']+)["']""", html) + re.findall(r"url: ['\"]([^'\"]+)", html)


@pytest.mark.parametrize(
    ("page", "assets"),
    [
        (
            "/docs",
            {"docs/assets/swagger-ui-bundle.js", "docs/assets/swagger-ui.css", "docs/assets/favicon.png"},
        ),
        ("/redoc", {"docs/assets/redoc.standalone.js", "docs/assets/favicon.png"}),
    ],
)
def test_the_pages_load_only_relative_assets_and_schema(anonymous_api, page, assets):
    resp = anonymous_api.get(page)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    html = resp.content.decode()
    assert "http://" not in html and "https://" not in html
    assert set(_asset_urls(html)) >= assets
    assert "openapi.json" in html


@pytest.mark.parametrize(
    ("name", "media_type", "starts"),
    [
        ("swagger-ui-bundle.js", "text/javascript", b"/*!"),
        ("redoc.standalone.js", "text/javascript", b"/*!"),
        ("swagger-ui.css", "text/css", b".swagger-ui"),
        ("favicon.png", "image/png", b"\x89PNG"),
    ],
)
def test_each_asset_is_served_from_the_package(anonymous_api, name, media_type, starts):
    from agentplatform.api.routers.docs import assets_dir

    resp = anonymous_api.get(f"/docs/assets/{name}")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith(media_type)
    assert resp.headers["cache-control"] == "public, max-age=86400"
    assert resp.content == (assets_dir() / name).read_bytes()
    assert resp.content.startswith(starts)


def test_only_the_known_assets_are_served(anonymous_api):
    assert anonymous_api.get("/docs/assets/RECORD").status_code == 404
    assert anonymous_api.get("/docs/assets/..%2F__init__.py").status_code == 404
