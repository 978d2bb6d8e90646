"""Media upload (sniffed type, size limit, S3, redirecting URL), image generation, unified
search and the cache metrics route."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.conftest import USER_ID
from tests.support.graphs import input_store_output_graph
from tests.support.http_server import loopback_server
from tests.support.marketplace import decide, make_profile, submit
from tests.support.runs import create_graph

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(64)
PDF = b"%PDF-1.4\n" + bytes(64)


def _multipart(content: bytes, content_type: str, name: str = "file.png") -> tuple[bytes, dict[str, str]]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


def _upload(api: Any, content: bytes, content_type: str) -> Any:
    body, headers = _multipart(content, content_type)
    return api.post("/api/store/submissions/media", body=body, headers=headers)


def _media_keys() -> list[str]:
    from agentplatform.aws import client
    from agentplatform.config import get_settings

    listed = client("s3").list_objects_v2(Bucket=get_settings().bucket_name, Prefix="store-media/")
    return [obj["Key"] for obj in listed.get("Contents", [])]


@pytest.mark.parametrize(
    ("content", "content_type", "suffix"), [(PNG, "image/png", ".png"), (MP4, "video/mp4", ".mp4")]
)
def test_upload_stores_the_file_and_answers_a_url_that_redirects_to_it(
    api, anonymous_api, content, content_type, suffix
):
    response = _upload(api, content, content_type)
    assert response.status_code == 200, response.content
    url = response.json()
    assert url.startswith("https://testserver/api/store/media/" + USER_ID + "/") and url.endswith(suffix)
    [key] = _media_keys()
    assert key == f"store-media/{USER_ID}/{url.rsplit('/', 1)[1]}"

    served = anonymous_api.get(url.removeprefix("https://testserver"))
    assert served.status_code == 307
    assert key in served.headers["location"] and "Signature" in served.headers["location"]


@pytest.mark.parametrize(
    ("content", "content_type", "detail"),
    [
        (
            PDF,
            "application/pdf",
            "File type not supported. Must be jpeg, png, gif, webp, mp4 or webm. Content type: application/pdf",
        ),
        (
            PDF,
            "image/png",
            "File type not supported. Must be jpeg, png, gif, webp, mp4 or webm. Content type: image/png",
        ),
        (PNG, "image/jpeg", "File signature does not match content type"),
    ],
)
def test_upload_refuses_what_is_not_an_allowed_image_or_video(api, content, content_type, detail):
    response = _upload(api, content, content_type)
    assert (response.status_code, response.json()) == (415, {"detail": detail})
    assert _media_keys() == []


def test_upload_refuses_files_over_the_limit(api, monkeypatch):
    from agentplatform.config import get_settings

    monkeypatch.setenv("MEDIA_UPLOAD_MAX_MB", "1")
    get_settings.cache_clear()
    try:
        response = _upload(api, PNG + bytes(1024 * 1024), "image/png")
    finally:
        monkeypatch.delenv("MEDIA_UPLOAD_MAX_MB")
        get_settings.cache_clear()
    assert (response.status_code, response.json()) == (413, {"detail": "File too large. Maximum size is 1MB"})
    assert _media_keys() == []


def test_upload_needs_a_user_and_unknown_media_is_not_found(anonymous_api):
    body, headers = _multipart(PNG, "image/png")
    assert anonymous_api.post("/api/store/submissions/media", body=body, headers=headers).status_code == 401
    assert anonymous_api.get(f"/api/store/media/{USER_ID}/{'0' * 32}.png").status_code == 404
    assert anonymous_api.get(f"/api/store/media/{USER_ID}/..%2Fsecret.png").status_code == 404


def test_generate_image_needs_a_provider(api):
    graph = create_graph(api, input_store_output_graph("Echo"))
    response = api.post("/api/store/submissions/generate_image", params={"agent_id": graph["id"]})
    assert response.status_code == 503
    assert response.json()["detail"] == (
        "Image generation is not configured: set IDEOGRAM_API_KEY to generate agent images"
    )


def test_generate_image_draws_with_ideogram_and_stores_the_image(api, other_api, monkeypatch):
    from agentplatform.config import get_settings

    graph = create_graph(api, input_store_output_graph("Echo"))
    seen: list[Any] = []

    def generate(request: Any) -> tuple[int, dict[str, str], bytes]:
        seen.append(request)
        # Ideogram answers with a URL of the image on its own host (reached through the override)
        answer = {"created": "now", "data": [{"url": "https://api.ideogram.ai/images/1.png", "prompt": "p"}]}
        return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()

    routes = {
        "/v1/ideogram-v3/generate": generate,
        "/images/1.png": lambda request: (200, {"Content-Type": "image/png"}, PNG),
    }
    with loopback_server(routes) as server:
        monkeypatch.setenv("IDEOGRAM_API_KEY", "ideo-key")
        monkeypatch.setenv("OUTBOUND_HOST_OVERRIDES", f"api.ideogram.ai={server.base_url}")
        get_settings.cache_clear()
        try:
            response = api.post("/api/store/submissions/generate_image", params={"agent_id": graph["id"]})
            foreign = other_api.post(
                "/api/store/submissions/generate_image", params={"agent_id": graph["id"]}
            )
        finally:
            for name in ("IDEOGRAM_API_KEY", "OUTBOUND_HOST_OVERRIDES"):
                monkeypatch.delenv(name)
            get_settings.cache_clear()
    assert response.status_code == 200, response.content
    assert list(response.json()) == ["image_url"]
    assert response.json()["image_url"].endswith(".png")
    assert {k.lower(): v for k, v in seen[0].headers.items()}["api-key"] == "ideo-key"
    assert b'"Echo"' in seen[0].body
    assert len(_media_keys()) == 1
    assert foreign.status_code == 404


# -- unified search


@pytest.fixture
def listed(api, admin_api) -> dict[str, Any]:
    make_profile(api, "textsmith", description="Makes text tools")
    graph = create_graph(api, input_store_output_graph("Text Reverser"))
    submission = submit(api, graph, "reverser", description="Reverses text you give it")
    decide(admin_api, submission["store_listing_version_id"])
    return submission


def test_unified_search_returns_agents_blocks_and_creators(listed, anonymous_api):
    response = anonymous_api.get("/api/store/search", params={"query": "text", "page_size": 50})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["results", "pagination"]
    types = {r["content_type"] for r in body["results"]}
    assert types == {"STORE_AGENT", "BLOCK", "CREATOR"}
    agent = next(r for r in body["results"] if r["content_type"] == "STORE_AGENT")
    assert list(agent) == [
        "content_type",
        "content_id",
        "searchable_text",
        "metadata",
        "updated_at",
        "combined_score",
        "semantic_score",
        "lexical_score",
    ]
    assert agent["content_id"] == listed["store_listing_version_id"]
    assert agent["metadata"]["slug"] == "reverser"
    assert agent["combined_score"] == agent["lexical_score"] > 0
    scores = [r["combined_score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    assert body["pagination"]["total_items"] >= len(body["results"])


def test_unified_search_filters_content_types_and_pages(listed, anonymous_api):
    only_agents = anonymous_api.get(
        "/api/store/search", params={"query": "reverses", "content_types": "STORE_AGENT"}
    ).json()
    assert [r["content_type"] for r in only_agents["results"]] == ["STORE_AGENT"]
    blocks = anonymous_api.get(
        "/api/store/search", params={"query": "text", "content_types": "BLOCK", "page_size": 2}
    ).json()
    assert len(blocks["results"]) == 2 and all(r["content_type"] == "BLOCK" for r in blocks["results"])
    assert blocks["pagination"]["total_pages"] == -(-blocks["pagination"]["total_items"] // 2)
    bad = anonymous_api.get("/api/store/search", params={"query": "x", "content_types": "VIDEO"})
    assert bad.status_code == 422
    assert anonymous_api.get("/api/store/search").status_code == 422


def test_cache_metrics_report_the_held_index(listed, anonymous_api):
    anonymous_api.get("/api/store/agents")
    response = anonymous_api.get("/api/store/metrics/cache")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert b"store_search_index_loaded 1" in response.content
    assert b"store_search_index_documents 2" in response.content  # one agent, one creator
