"""An upload over real HTTP to ``make dev``: binary multipart through the local API
Gateway, then read back by a block of the same user."""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.support.uploads import PNG

pytestmark = pytest.mark.e2e

FILE_STORE = "cbb50872-625b-42f0-8203-a2ae78242d8a"


def test_upload_and_read_back_in_a_block(dev_server, token):
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=dev_server.base_url, headers=headers, timeout=30) as http:
        assert http.post("/api/auth/user").status_code == 200
        uploaded = http.post(
            "/api/files/upload",
            files={"file": ("pixel.png", PNG, "application/octet-stream")},
            params={"expiration_hours": 2},
        )
        assert uploaded.status_code == 200, uploaded.text
        body = uploaded.json()
        assert (body["content_type"], body["size"], body["expires_in_hours"]) == ("image/png", len(PNG), 2)
        read = http.post(
            f"/api/blocks/{FILE_STORE}/execute", json={"file_in": body["file_uri"], "base_64": True}
        )
        assert read.status_code == 200, read.text
        assert read.json()["file_out"] == [f"data:image/png;base64,{base64.b64encode(PNG).decode()}"]
