"""``POST /api/files/upload``: sniffed types, limits that store nothing, and uploads that
blocks read for their owner only (once scanned clean, until they expire)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from agentplatform.aws import client
from agentplatform.config import get_settings
from agentplatform.store.uploads import list_upload_keys
from tests.conftest import OTHER_USER_ID, USER_ID
from tests.support.uploads import ELF, PNG, upload

BUCKET = "agentplatform-test-values"
FILE_STORE = "cbb50872-625b-42f0-8203-a2ae78242d8a"  # FileStoreBlock: file_in -> file_out


@pytest.fixture
def setting(monkeypatch):
    def set_env(name: str, value: str) -> None:
        monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield set_env
    get_settings.cache_clear()


def _key(file_uri: str) -> str:
    return file_uri.removeprefix(f"s3://{BUCKET}/")


def test_upload_answers_upstreams_shape_with_the_sniffed_type(api):
    resp = upload(api, PNG, name="pixel.png", declared="text/plain")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    prefix = f"s3://{BUCKET}/uploads/1d/users/{USER_ID}/"
    assert body["file_uri"].startswith(prefix) and body["file_uri"].endswith("/pixel.png")
    assert body == {
        "file_uri": body["file_uri"],
        "file_name": "pixel.png",
        "size": len(PNG),
        "content_type": "image/png",
        "expires_in_hours": 24,
    }
    stored = client("s3").get_object(Bucket=BUCKET, Key=_key(body["file_uri"]))
    assert stored["Body"].read() == PNG
    assert stored["ContentType"] == "image/png"
    assert stored["Metadata"]["owner"] == USER_ID
    expires = datetime.fromisoformat(stored["Metadata"]["expires-at"])
    assert timedelta(hours=23, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=24)


def test_text_keeps_a_textual_type_but_never_an_executable_claim(api):
    csv = upload(api, b"a,b\n1,2\n", name="table.csv", declared="text/csv").json()
    assert csv["content_type"] == "text/csv"
    claimed = upload(api, b"just words", name="notes.txt", declared="application/x-msdownload").json()
    assert claimed["content_type"] == "text/plain"
    opaque = upload(api, bytes(range(256)) * 4, name="blob", declared="image/png").json()
    assert opaque["content_type"] == "application/octet-stream"


def test_expiry_picks_the_lifecycle_prefix_and_is_bounded(api):
    two_days = upload(api, PNG, expiration_hours=48).json()
    assert f"/uploads/2d/users/{USER_ID}/" in two_days["file_uri"]
    assert two_days["expires_in_hours"] == 48
    for hours in (0, 49):
        resp = upload(api, PNG, expiration_hours=hours)
        assert resp.status_code == 400
        assert resp.json()["detail"] == "Expiration hours must be between 1 and 48"
    assert len(list_upload_keys()) == 1


def test_a_forbidden_type_is_refused_415_and_nothing_is_stored(api):
    resp = upload(api, ELF, name="photo.png", declared="image/png")
    assert resp.status_code == 415
    assert resp.json()["detail"] == "Files of type application/x-executable cannot be uploaded"
    windows = upload(api, b"MZ\x90\x00" + b"\x00" * 60, name="setup.txt", declared="text/plain")
    assert windows.status_code == 415
    assert list_upload_keys() == []


def test_a_file_over_the_limit_is_refused_413_and_nothing_is_stored(api, setting):
    setting("UPLOAD_FILE_SIZE_LIMIT_MB", "1")
    limit = 1024 * 1024
    resp = upload(api, b"a" * (limit + 1), name="big.txt", declared="text/plain")
    assert resp.status_code == 413
    assert resp.json()["detail"] == f"File size ({limit + 1} bytes) exceeds the maximum allowed size of 1MB"
    assert list_upload_keys() == []
    assert upload(api, b"a" * limit, name="fits.txt").status_code == 200


def test_upload_needs_a_token_and_a_file(anonymous_api, api):
    assert upload(anonymous_api, PNG).status_code == 401
    empty = api.post(
        "/api/files/upload", body=b"", headers={"content-type": "multipart/form-data; boundary=x"}
    )
    assert empty.status_code == 422
    assert list_upload_keys() == []


def _read_in_block(api, file_uri: str):
    return api.post(f"/api/blocks/{FILE_STORE}/execute", json_body={"file_in": file_uri, "base_64": True})


def _block_refused(api, file_uri: str) -> str:
    """The block's error message, unwrapped from the block error's detail."""
    resp = _read_in_block(api, file_uri)
    assert resp.status_code == 400, resp.content
    detail = resp.json()["detail"]
    prefix, suffix = "raised by FileStoreBlock with message: ", f". block_id: {FILE_STORE}"
    assert detail.startswith(prefix) and detail.endswith(suffix), detail
    return str(detail[len(prefix) : -len(suffix)])


def test_blocks_read_an_upload_for_its_owner_only(api, other_api):
    file_uri = upload(api, PNG, name="pixel.png").json()["file_uri"]
    own = _read_in_block(api, file_uri)
    assert own.status_code == 200, own.content
    assert own.json()["file_out"] == [f"data:image/png;base64,{base64.b64encode(PNG).decode()}"]

    foreign = _read_in_block(other_api, file_uri)
    assert base64.b64encode(PNG) not in foreign.content
    assert _block_refused(other_api, file_uri) == f"File {file_uri} not found"

    forged = file_uri.replace(f"users/{USER_ID}/", f"users/{OTHER_USER_ID}/")
    assert _block_refused(other_api, forged) == f"File {forged} not found"
    other_bucket = file_uri.replace(BUCKET, "someone-elses-bucket")
    assert _block_refused(api, other_bucket) == (
        "Only files uploaded to this platform can be read from s3:// URIs"
    )


def test_an_expired_upload_cannot_be_read(api):
    file_uri = upload(api, PNG).json()["file_uri"]
    key = _key(file_uri)
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    s3 = client("s3")
    s3.copy_object(
        Bucket=BUCKET,
        Key=key,
        CopySource={"Bucket": BUCKET, "Key": key},
        Metadata={"owner": USER_ID, "expires-at": past},
        MetadataDirective="REPLACE",
    )
    assert _block_refused(api, file_uri) == f"File {file_uri} has expired"
    s3.delete_object(Bucket=BUCKET, Key=key)  # what the lifecycle rule does later
    assert _block_refused(api, file_uri) == f"File {file_uri} not found"


def test_with_guardduty_an_upload_is_usable_only_once_tagged_clean(api, setting):
    setting("UPLOAD_MALWARE_SCAN", "guardduty")
    file_uri = upload(api, PNG).json()["file_uri"]
    pending = _block_refused(api, file_uri)
    assert pending == "The file is still being scanned for malware; try again shortly"

    def tag(status: str) -> None:
        client("s3").put_object_tagging(
            Bucket=BUCKET,
            Key=_key(file_uri),
            Tagging={"TagSet": [{"Key": "GuardDutyMalwareScanStatus", "Value": status}]},
        )

    tag("THREATS_FOUND")
    assert _block_refused(api, file_uri) == ("The file cannot be used: malware scan result THREATS_FOUND")
    tag("NO_THREATS_FOUND")
    assert _read_in_block(api, file_uri).status_code == 200
