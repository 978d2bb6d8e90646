"""``/api/api-keys``: create (plain key once), list, get, revoke, suspend, permissions."""

from __future__ import annotations

import re

from agentplatform.auth.keysmith import HEAD_LENGTH, TAIL_LENGTH, verify_secret
from agentplatform.store import keys
from agentplatform.store.table import Table
from tests.conftest import USER_ID
from tests.support.external import API_KEY_INFO_KEYS, create_api_key


def test_create_returns_the_plain_key_once_and_stores_only_a_salted_hash(api):
    response = api.post(
        "/api/api-keys",
        json_body={"name": "ci", "permissions": ["IDENTITY", "READ_GRAPH"], "description": "for CI"},
    )

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["api_key", "plain_text_key"]
    plain, info = body["plain_text_key"], body["api_key"]
    assert re.fullmatch(r"agpt_[A-Za-z0-9_\-]{43}", plain)
    assert list(info) == API_KEY_INFO_KEYS
    assert info["user_id"] == USER_ID
    assert info["scopes"] == ["IDENTITY", "READ_GRAPH"]
    assert info["type"] == "api_key"
    assert info["status"] == "ACTIVE"
    assert info["name"] == "ci"
    assert info["description"] == "for CI"
    assert info["head"] == plain[:HEAD_LENGTH] and info["tail"] == plain[-TAIL_LENGTH:]
    assert info["last_used_at"] is None and info["revoked_at"] is None and info["expires_at"] is None

    item = Table().get(keys.user_pk(USER_ID), keys.api_key_sk(info["id"]))
    assert item is not None
    assert plain not in {str(value) for value in item.values()}
    assert len(bytes.fromhex(item["salt"])) == 32
    assert verify_secret(plain, item["hash"], item["salt"])
    assert not verify_secret(plain + "x", item["hash"], item["salt"])

    listed = api.get("/api/api-keys").json()
    assert "plain_text_key" not in str(listed) and plain not in str(listed)


def test_list_is_newest_first_and_get_answers_one(api):
    _, first = create_api_key(api, ["IDENTITY"], name="first")
    _, second = create_api_key(api, ["READ_BLOCK"], name="second")

    listed = api.get("/api/api-keys")
    assert listed.status_code == 200
    assert [k["id"] for k in listed.json()] == [second["id"], first["id"]]
    assert all(list(k) == API_KEY_INFO_KEYS for k in listed.json())

    got = api.get(f"/api/api-keys/{first['id']}")
    assert got.status_code == 200
    assert got.json() == first


def test_revoke_suspend_and_permissions(api):
    _, info = create_api_key(api, ["IDENTITY"])

    updated = api.put(f"/api/api-keys/{info['id']}/permissions", json_body={"permissions": ["READ_GRAPH"]})
    assert updated.status_code == 200
    assert updated.json()["scopes"] == ["READ_GRAPH"]

    suspended = api.post(f"/api/api-keys/{info['id']}/suspend")
    assert suspended.status_code == 200
    assert suspended.json()["status"] == "SUSPENDED"

    revoked = api.delete(f"/api/api-keys/{info['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "REVOKED"
    assert revoked.json()["revoked_at"] is not None

    # Revoking is final: suspending or re-scoping a revoked key leaves it revoked.
    again = api.post(f"/api/api-keys/{info['id']}/suspend")
    assert again.status_code == 200
    assert again.json()["status"] == "REVOKED"
    assert api.get(f"/api/api-keys/{info['id']}").json()["scopes"] == ["READ_GRAPH"]


def test_another_users_key_is_not_found_for_every_route(api, other_api):
    _, info = create_api_key(api, ["IDENTITY"])
    key_id = info["id"]

    for response in (
        other_api.get(f"/api/api-keys/{key_id}"),
        other_api.delete(f"/api/api-keys/{key_id}"),
        other_api.post(f"/api/api-keys/{key_id}/suspend"),
        other_api.put(f"/api/api-keys/{key_id}/permissions", json_body={"permissions": ["IDENTITY"]}),
    ):
        assert response.status_code == 404, response.content
        assert response.json()["detail"] == f"API key #{key_id} not found"
    assert other_api.get("/api/api-keys").json() == []
    assert api.get(f"/api/api-keys/{key_id}").json()["status"] == "ACTIVE"


def test_bad_input_is_422_and_no_token_is_401(api, anonymous_api):
    assert api.post("/api/api-keys", json_body={"name": "x", "permissions": ["ROOT"]}).status_code == 422
    assert api.post("/api/api-keys", json_body={"permissions": ["IDENTITY"]}).status_code == 422
    assert api.put("/api/api-keys/nope/permissions", json_body={}).status_code == 422
    assert api.get("/api/api-keys").json() == []  # nothing was written

    for method, path in (
        ("POST", "/api/api-keys"),
        ("GET", "/api/api-keys"),
        ("GET", "/api/api-keys/k"),
        ("DELETE", "/api/api-keys/k"),
        ("POST", "/api/api-keys/k/suspend"),
        ("PUT", "/api/api-keys/k/permissions"),
    ):
        response = anonymous_api.request(method, path, json_body={"name": "x", "permissions": []})
        assert response.status_code == 401, (method, path)
        assert response.json() == {"detail": "Authorization header is missing"}
