"""Auth at the API edge: 401s, admin-only routes, impersonation, auth disabled."""

from __future__ import annotations

import time

import jwt
import pytest

from agentplatform.config import DEFAULT_USER_ID, get_settings
from tests.conftest import ADMIN_USER_ID, OTHER_USER_ID, TEST_JWT_SECRET, USER_ID
from tests.support.api import ApiGatewayClient
from tests.support.graphs import input_store_output_graph


def _token(**claims):
    base = {"sub": USER_ID, "role": "authenticated", "aud": "authenticated", "exp": int(time.time()) + 3600}
    base.update(claims)
    return jwt.encode({k: v for k, v in base.items() if v is not None}, TEST_JWT_SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    ("authorization", "detail"),
    [
        (None, "Authorization header is missing"),
        (f"Bearer {_token(exp=int(time.time()) - 5)}", "Token has expired"),
        (f"Bearer {_token(aud='public')}", "Invalid token: Audience doesn't match"),
        (
            f"Bearer {jwt.encode({'sub': USER_ID, 'aud': 'authenticated', 'exp': int(time.time()) + 3600}, 'wrong-key-wrong-key-wrong-key-wrong', algorithm='HS256')}",
            "Invalid token: Signature verification failed",
        ),
        (
            f"Bearer {jwt.encode({'sub': USER_ID, 'aud': 'authenticated', 'exp': int(time.time()) + 3600}, None, algorithm='none')}",
            "Invalid token: The specified alg value is not allowed",
        ),
        (f"Bearer {_token(sub=None)}", "User ID not found in token"),
    ],
    ids=["missing", "expired", "wrong-audience", "wrong-key", "alg-none", "no-sub"],
)
def test_untrusted_callers_get_401(cloud, authorization, detail):
    headers = {"authorization": authorization} if authorization else {}
    resp = ApiGatewayClient(headers=headers).get("/api/graphs")
    assert resp.status_code == 401
    assert resp.json() == {"detail": detail}
    assert resp.headers["www-authenticate"] == "Bearer"


def test_non_admin_on_admin_route_gets_403(api):
    resp = api.get(f"/api/admin/users/{USER_ID}")
    assert resp.status_code == 403
    assert resp.json() == {"detail": "Admin access required"}


def test_admin_reads_any_user(api, admin_api):
    api.post("/api/auth/user")
    resp = admin_api.get(f"/api/admin/users/{USER_ID}")
    assert resp.status_code == 200
    assert resp.json()["id"] == USER_ID
    assert admin_api.get(f"/api/admin/users/{OTHER_USER_ID}").status_code == 404


def test_admin_can_act_as_another_user(api, admin_api):
    gid = api.post("/api/graphs", json_body={"graph": input_store_output_graph()}).json()["id"]
    acting = admin_api.get(f"/api/graphs/{gid}", headers={"X-Act-As-User-Id": USER_ID})
    assert acting.status_code == 200
    assert admin_api.get(f"/api/graphs/{gid}").status_code == 404  # not the admin's own graph


def test_non_admin_cannot_impersonate(api):
    resp = api.get("/api/graphs", headers={"X-Act-As-User-Id": ADMIN_USER_ID})
    assert resp.status_code == 403
    assert resp.json() == {"detail": "Only admin users can impersonate other users"}


def test_auth_disabled_uses_default_user(cloud, monkeypatch):
    monkeypatch.setenv("ENABLE_AUTH", "false")
    get_settings.cache_clear()
    try:
        resp = ApiGatewayClient().post("/api/auth/user")
        assert resp.status_code == 200
        assert resp.json()["id"] == DEFAULT_USER_ID
    finally:
        monkeypatch.setenv("ENABLE_AUTH", "true")
        get_settings.cache_clear()
