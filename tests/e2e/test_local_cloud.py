"""``make dev`` works: the platform answers over HTTP and keeps data across restarts."""

from __future__ import annotations

import httpx
import pytest

from tests.support.graphs import input_store_output_graph

pytestmark = pytest.mark.e2e


def test_graph_lifecycle_over_http_survives_restart(dev_server, token):
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=dev_server.base_url, headers=headers, timeout=30) as http:
        assert http.post("/api/auth/user").status_code == 200
        created = http.post("/api/graphs", json={"graph": input_store_output_graph()})
        assert created.status_code == 200, created.text
        gid = created.json()["id"]
        updated = http.put(f"/api/graphs/{gid}", json=input_store_output_graph("v2"))
        assert updated.json()["version"] == 2

    dev_server.stop()
    dev_server.start()

    with httpx.Client(base_url=dev_server.base_url, headers=headers, timeout=30) as http:
        versions = http.get(f"/api/graphs/{gid}/versions")
        assert [v["version"] for v in versions.json()] == [1, 2]
        assert http.delete(f"/api/graphs/{gid}").json() == {"version_counts": 2}


def test_unauthenticated_and_unknown_paths(dev_server):
    assert httpx.get(f"{dev_server.base_url}/api/graphs").status_code == 401
    missing = httpx.get(f"{dev_server.base_url}/no/such/route")
    assert missing.status_code == 404
    # built on first request from every domain's routers: seconds on a loaded machine
    docs = httpx.get(f"{dev_server.base_url}/openapi.json", timeout=60)
    assert docs.status_code == 200
    assert "/api/graphs/{graph_id}" in docs.json()["paths"]


def test_media_links_work_locally(dev_server, token):
    """A listing image, uploaded, then fetched as a browser would: the API's media URL,
    its redirect to a signed link (the gateway's own copy of it), and the file's bytes."""
    from tests.support.uploads import png

    image = png(512, 512)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=dev_server.base_url, headers=headers, timeout=30) as http:
        assert http.post("/api/auth/user").status_code == 200
        media = http.post("/api/store/submissions/media", files={"file": ("a.png", image, "image/png")})
        assert media.status_code == 200, media.text
    url = media.json()
    redirect = httpx.get(url, timeout=30)  # anyone: no token
    assert redirect.status_code == 307
    location = redirect.headers["location"]
    assert location.startswith("/_local/s3/") and "Signature=" in location, location
    fetched = httpx.get(url, follow_redirects=True, timeout=30)
    assert (fetched.status_code, fetched.headers["content-type"], fetched.content) == (
        200,
        "image/png",
        image,
    )
    expired = location.split("?")[0] + "?Expires=1"
    assert httpx.get(f"{dev_server.base_url}{expired}", timeout=30).status_code == 403
    unsigned = location.split("?")[0]
    assert httpx.get(f"{dev_server.base_url}{unsigned}", timeout=30).status_code == 403
