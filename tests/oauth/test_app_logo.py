"""``POST /api/oauth/apps/{app_id}/logo/upload``: the owner's app only, upstream's checks
(sniffed type, 3 MB, square 512-2048 px), nothing stored on refusal, old logo replaced."""

from __future__ import annotations

from typing import Any

import pytest

from agentplatform.aws import client
from agentplatform.config import get_settings
from agentplatform.models.api_keys import APIKeyPermission
from agentplatform.oauth.service import OAuthService
from tests.conftest import USER_ID
from tests.support.uploads import ELF, png

MEDIA_BUCKET = "agentplatform-test-media"
MEDIA_URL = "https://media.example.com"


@pytest.fixture
def media(cloud, monkeypatch):
    client("s3").create_bucket(Bucket=MEDIA_BUCKET)
    monkeypatch.setenv("MEDIA_BUCKET_NAME", MEDIA_BUCKET)
    monkeypatch.setenv("MEDIA_BASE_URL", MEDIA_URL + "/")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def app(cloud) -> dict[str, Any]:
    """An app the test user owns."""
    registered = OAuthService().register_application(
        USER_ID, "Logo App", ["https://app.example.com/cb"], [APIKeyPermission.IDENTITY]
    )
    return registered.application.model_dump(mode="json")


def _upload(api, app_id: str, content: bytes, *, name: str = "logo.png", declared: str = "image/png"):
    from urllib3 import encode_multipart_formdata

    body, content_type = encode_multipart_formdata({"file": (name, content, declared)})
    return api.post(
        f"/api/oauth/apps/{app_id}/logo/upload", body=body, headers={"content-type": content_type}
    )


def _stored_keys() -> list[str]:
    listed = client("s3").list_objects_v2(Bucket=MEDIA_BUCKET)
    return sorted(obj["Key"] for obj in listed.get("Contents", []))


def test_the_owner_uploads_a_logo_and_the_app_points_at_it(api, app, media):
    image = png(512, 512)
    resp = _upload(api, app["id"], image, declared="application/octet-stream")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    prefix = f"{MEDIA_URL}/oauth-apps/{app['id']}/logo/"
    assert body["logo_url"].startswith(prefix) and body["logo_url"].endswith(".png")
    assert body == {**app, "logo_url": body["logo_url"], "updated_at": body["updated_at"]}
    [key] = _stored_keys()
    assert body["logo_url"] == f"{MEDIA_URL}/{key}"
    stored = client("s3").get_object(Bucket=MEDIA_BUCKET, Key=key)
    assert (stored["Body"].read(), stored["ContentType"]) == (image, "image/png")
    assert api.get("/api/oauth/apps/mine").json()[0]["logo_url"] == body["logo_url"]


def test_a_new_logo_replaces_the_old_file(api, app, media):
    first = _upload(api, app["id"], png(512, 512)).json()["logo_url"]
    second = _upload(api, app["id"], png(2048, 2048)).json()["logo_url"]
    assert first != second
    assert _stored_keys() == [second.removeprefix(f"{MEDIA_URL}/")]


def test_another_users_app_is_404_and_nothing_is_stored(other_api, app, media):
    resp = _upload(other_api, app["id"], png(512, 512))
    assert resp.status_code == 404
    assert resp.json()["detail"] == "OAuth App not found"
    assert _upload(other_api, "no-such-app", png(512, 512)).status_code == 404
    assert _stored_keys() == []


@pytest.mark.parametrize(
    ("content", "status", "detail"),
    [
        (ELF, 415, "Invalid file type. Allowed: JPEG, PNG, WebP. Got: application/x-executable"),
        (
            b"GIF89a\x00\x02\x00\x02" + b"\x00" * 32,
            415,
            "Invalid file type. Allowed: JPEG, PNG, WebP. Got: image/gif",
        ),
        (b"not an image at all", 415, "Invalid file type. Allowed: JPEG, PNG, WebP. Got: text/plain"),
        (png(512, 256), 400, "Logo must be square. Got 512x256"),
        (png(256, 256), 400, "Logo too small. Minimum 512x512. Got 256x256"),
        (png(4096, 4096), 400, "Logo too large. Maximum 2048x2048. Got 4096x4096"),
        (png(512, 512)[:20], 400, "Invalid image file"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (3 * 1024 * 1024), 413, "File too large. Maximum size is 3MB"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_stored(api, app, media, content, status, detail):
    resp = _upload(api, app["id"], content)
    assert (resp.status_code, resp.json()["detail"]) == (status, detail)
    assert _stored_keys() == []
    assert api.get("/api/oauth/apps/mine").json()[0]["logo_url"] is None


def test_by_default_logos_live_in_the_values_bucket_behind_a_redirect(api, anonymous_api, app):
    """No media bucket or public origin configured (the local cloud): the logo URL is the
    API's, and it redirects anyone to a signed URL of the file."""
    image = png(512, 512)
    first = _upload(api, app["id"], image).json()["logo_url"]
    prefix = f"https://testserver/api/oauth/apps/{app['id']}/logo/"
    assert first.startswith(prefix) and first.endswith(".png")
    file_name = first.removeprefix(prefix)
    key = f"oauth-apps/{app['id']}/logo/{file_name}"
    stored = client("s3").get_object(Bucket=get_settings().bucket_name, Key=key)
    assert (stored["Body"].read(), stored["ContentType"]) == (image, "image/png")

    redirect = anonymous_api.get(f"/api/oauth/apps/{app['id']}/logo/{file_name}")
    assert redirect.status_code == 307
    location = redirect.headers["location"]
    assert f"/{key}?" in location and "Signature=" in location and "Expires=" in location

    second = _upload(api, app["id"], png(1024, 1024)).json()["logo_url"]
    listed = client("s3").list_objects_v2(
        Bucket=get_settings().bucket_name, Prefix=f"oauth-apps/{app['id']}/"
    )
    assert [o["Key"] for o in listed["Contents"]] == [
        f"oauth-apps/{app['id']}/logo/{second.removeprefix(prefix)}"
    ]
    assert anonymous_api.get(f"/api/oauth/apps/{app['id']}/logo/{file_name}").status_code == 404  # replaced
    assert anonymous_api.get(f"/api/oauth/apps/{app['id']}/logo/..%2Fsecret.png").status_code == 404


def test_a_token_is_required(anonymous_api, app, media):
    assert _upload(anonymous_api, app["id"], png(512, 512)).status_code == 401


def test_a_hand_set_url_naming_another_apps_logo_is_never_deleted(api, app, media):
    theirs = (
        OAuthService()
        .register_application(
            "33333333-3333-3333-3333-333333333333",
            "Theirs",
            ["https://t.example.com/cb"],
            [APIKeyPermission.IDENTITY],
        )
        .application
    )
    their_key = f"oauth-apps/{theirs.id}/logo/their.png"
    client("s3").put_object(Bucket=MEDIA_BUCKET, Key=their_key, Body=png(512, 512))
    api.patch(f"/api/oauth/apps/{app['id']}/logo", json_body={"logo_url": f"{MEDIA_URL}/{their_key}"})

    mine = _upload(api, app["id"], png(512, 512)).json()["logo_url"]

    assert _stored_keys() == sorted([their_key, mine.removeprefix(f"{MEDIA_URL}/")])
