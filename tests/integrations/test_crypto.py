"""Envelope encryption at rest: KMS (moto) and the local key, bound to owner and id."""

from __future__ import annotations

import base64
import json
import logging

import pytest

from agentplatform.errors import MissingConfigError
from agentplatform.integrations.crypto import SealedSecret, open_sealed, seal
from agentplatform.store import keys
from agentplatform.store.table import Table

SECRET = "sk-at-rest-3b0d-must-not-appear"
CONTEXT = {"user_id": "u1", "credentials_id": "c1"}


@pytest.fixture
def local_key(monkeypatch):
    monkeypatch.delenv("CREDENTIALS_KMS_KEY_ID", raising=False)
    monkeypatch.setenv("CREDENTIALS_LOCAL_KEY", base64.b64encode(bytes(range(32))).decode())


def test_kms_seal_round_trip_and_context_binding(kms_key):
    sealed = seal(SECRET.encode(), CONTEXT)
    assert sealed.key_source == "kms"
    assert SECRET.encode() not in sealed.ciphertext + sealed.wrapped_key
    assert open_sealed(sealed, CONTEXT) == SECRET.encode()
    with pytest.raises(Exception):  # noqa: B017 - KMS refuses a different encryption context
        open_sealed(sealed, {**CONTEXT, "user_id": "u2"})


def test_local_key_round_trip_and_tamper_detection(local_key):
    from cryptography.exceptions import InvalidTag

    sealed = seal(SECRET.encode(), CONTEXT)
    assert sealed.key_source == "local"
    assert open_sealed(sealed, CONTEXT) == SECRET.encode()
    with pytest.raises(InvalidTag):
        open_sealed(sealed, {**CONTEXT, "credentials_id": "c2"})
    flipped = bytes([sealed.ciphertext[0] ^ 1]) + sealed.ciphertext[1:]
    with pytest.raises(InvalidTag):
        open_sealed(SealedSecret(sealed.key_source, sealed.wrapped_key, sealed.nonce, flipped), CONTEXT)


def test_local_key_file_is_created_once_with_owner_only_access(monkeypatch, tmp_path):
    path = tmp_path / "state" / "credentials.key"
    monkeypatch.delenv("CREDENTIALS_KMS_KEY_ID", raising=False)
    monkeypatch.delenv("CREDENTIALS_LOCAL_KEY", raising=False)
    monkeypatch.setenv("CREDENTIALS_LOCAL_KEY_FILE", str(path))
    sealed = seal(b"x", CONTEXT)
    first = path.read_text()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert open_sealed(sealed, CONTEXT) == b"x"  # a second load reads the same key
    assert path.read_text() == first


def test_without_any_key_configuration_it_is_a_503_config_error(monkeypatch):
    for name in ("CREDENTIALS_KMS_KEY_ID", "CREDENTIALS_LOCAL_KEY", "CREDENTIALS_LOCAL_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(MissingConfigError, match="Credentials encryption is not configured"):
        seal(b"x", CONTEXT)


def test_missing_key_config_answers_503_through_the_api(api, monkeypatch):
    for name in ("CREDENTIALS_KMS_KEY_ID", "CREDENTIALS_LOCAL_KEY", "CREDENTIALS_LOCAL_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    resp = api.post("/api/integrations/openai/credentials", json_body={"type": "api_key", "api_key": SECRET})
    assert resp.status_code == 503
    assert SECRET.encode() not in resp.content


def test_stored_item_holds_no_plaintext_secret(api, kms_key):
    from tests.conftest import USER_ID

    created = api.post(
        "/api/integrations/openai/credentials", json_body={"type": "api_key", "api_key": SECRET, "title": "t"}
    ).json()
    item = Table().get(keys.user_pk(USER_ID), keys.credentials_sk(created["id"]))
    assert item is not None
    assert SECRET not in json.dumps({k: v for k, v in item.items() if isinstance(v, str)})
    assert all(SECRET.encode() not in v for v in item.values() if isinstance(v, bytes))
    assert json.loads(item["public"]) == {
        "id": created["id"],
        "provider": "openai",
        "type": "api_key",
        "title": "t",
    }


def test_secret_never_reaches_a_log_line(api, kms_key, caplog):
    caplog.set_level(logging.DEBUG)
    created = api.post(
        "/api/integrations/openai/credentials", json_body={"type": "api_key", "api_key": SECRET}
    )
    cred_id = created.json()["id"]
    api.get("/api/integrations/credentials")
    api.get(f"/api/integrations/openai/credentials/{cred_id}")
    api.post(
        "/api/integrations/openai/credentials",
        json_body={"type": "api_key", "api_key": SECRET, "base_url": 5},
    )
    api.delete(f"/api/integrations/openai/credentials/{cred_id}")
    assert caplog.records, "expected the request path to log something at DEBUG"
    assert SECRET not in caplog.text
