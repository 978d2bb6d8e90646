"""Credentials encryption in tests: a moto KMS key, as in AWS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture
def kms_key(cloud: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from agentplatform.aws import client

    key_id: str = client("kms").create_key(Description="credentials")["KeyMetadata"]["KeyId"]
    monkeypatch.setenv("CREDENTIALS_KMS_KEY_ID", key_id)
    monkeypatch.delenv("CREDENTIALS_LOCAL_KEY", raising=False)
    monkeypatch.delenv("CREDENTIALS_LOCAL_KEY_FILE", raising=False)
    yield key_id
