"""Key checks on the hot path: Scrypt once per key per warm Lambda, revocation within
``REVALIDATE_SECONDS``, ``last_used_at`` written at most once a minute."""

from __future__ import annotations

import pytest

from agentplatform.auth import api_keys
from agentplatform.auth.api_keys import LAST_USED_WRITE_SECONDS, REVALIDATE_SECONDS
from tests.support.external import create_api_key, key_client


@pytest.fixture
def scrypt_checks(monkeypatch):
    calls: list[str] = []
    real = api_keys.verify_secret

    def counting(secret: str, hash_hex: str, salt_hex: str) -> bool:
        calls.append(secret)
        return real(secret, hash_hex, salt_hex)

    monkeypatch.setattr(api_keys, "verify_secret", counting)
    return calls


def test_scrypt_runs_once_per_key_however_many_requests_and_revalidations(api, clock, scrypt_checks):
    key, _ = create_api_key(api, ["IDENTITY"])
    other_key, _ = create_api_key(api, ["IDENTITY"])
    client = key_client(key)

    for _ in range(3):
        assert client.get("/external-api/v1/me").status_code == 200
    clock.advance(REVALIDATE_SECONDS + 1)
    assert client.get("/external-api/v1/me").status_code == 200
    assert key_client(other_key).get("/external-api/v1/me").status_code == 200

    assert scrypt_checks == [key, other_key]


def test_a_wrong_key_with_a_known_prefix_is_refused(api, clock):
    key, _ = create_api_key(api, ["IDENTITY"])
    assert key_client(key).get("/external-api/v1/me").status_code == 200

    forged = key[:-1] + ("A" if key[-1] != "A" else "B")
    response = key_client(forged).get("/external-api/v1/me")

    assert response.status_code == 401


def test_revocation_reaches_a_warm_lambda_within_the_revalidation_interval(api, clock):
    key, info = create_api_key(api, ["IDENTITY"])
    client = key_client(key)
    assert client.get("/external-api/v1/me").status_code == 200

    assert api.delete(f"/api/api-keys/{info['id']}").status_code == 200
    clock.advance(REVALIDATE_SECONDS - 1)
    assert client.get("/external-api/v1/me").status_code == 200  # remembered, not re-read yet
    clock.advance(2)

    response = client.get("/external-api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid API key"}


def test_permission_changes_reach_a_warm_lambda_within_the_revalidation_interval(api, clock):
    key, info = create_api_key(api, ["IDENTITY"])
    client = key_client(key)
    assert client.get("/external-api/v1/me").status_code == 200

    api.put(f"/api/api-keys/{info['id']}/permissions", json_body={"permissions": ["READ_BLOCK"]})
    clock.advance(REVALIDATE_SECONDS + 1)

    assert client.get("/external-api/v1/me").status_code == 403
    assert client.get("/external-api/v1/blocks").status_code == 200


def test_last_used_at_is_written_at_most_once_a_minute(api, clock):
    key, info = create_api_key(api, ["IDENTITY"])
    client = key_client(key)

    def last_used() -> str:
        return api.get(f"/api/api-keys/{info['id']}").json()["last_used_at"]

    client.get("/external-api/v1/me")
    first = last_used()
    clock.advance(LAST_USED_WRITE_SECONDS / 2)
    client.get("/external-api/v1/me")
    assert last_used() == first
    clock.advance(LAST_USED_WRITE_SECONDS)
    client.get("/external-api/v1/me")
    assert last_used() > first
