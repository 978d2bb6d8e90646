"""Envelope encryption of stored credentials.

Each credential is sealed with its own 256-bit data key (AES-GCM). The data key is
wrapped by a key-encryption key that never leaves its home: KMS in AWS
(``CREDENTIALS_KMS_KEY_ID``), or a local 32-byte key in the local cloud
(``CREDENTIALS_LOCAL_KEY`` base64, or the file ``CREDENTIALS_LOCAL_KEY_FILE``, created on
first use). The local cloud does not use moto's KMS because moto keeps key material
in memory only: credentials saved in the persisted table would become undecryptable
after a restart. The envelope format is the same either way; only the wrap differs.

The owner and credential id are bound to both layers (KMS encryption context and
AES-GCM associated data), so a sealed blob copied onto another item cannot be opened.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from agentplatform.errors import MissingConfigError

NONCE_BYTES = 12
KEY_BYTES = 32


@dataclass(frozen=True)
class SealedSecret:
    key_source: str  # "kms" or "local": which wrapper can unwrap ``wrapped_key``
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes


class KeyWrapper(Protocol):
    source: str

    def new_data_key(self, context: dict[str, str]) -> tuple[bytes, bytes]:
        """A fresh data key: (plaintext, wrapped)."""
        ...

    def unwrap(self, wrapped: bytes, context: dict[str, str]) -> bytes: ...


def _aesgcm(key: bytes) -> Any:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # deferred: only credential paths pay

    return AESGCM(key)


def _aad(context: dict[str, str]) -> bytes:
    return json.dumps(context, sort_keys=True, separators=(",", ":")).encode()


class KmsKeyWrapper:
    source = "kms"

    def __init__(self, key_id: str):
        self.key_id = key_id

    def new_data_key(self, context: dict[str, str]) -> tuple[bytes, bytes]:
        from agentplatform.aws import client

        resp = client("kms").generate_data_key(
            KeyId=self.key_id, KeySpec="AES_256", EncryptionContext=context
        )
        return resp["Plaintext"], resp["CiphertextBlob"]

    def unwrap(self, wrapped: bytes, context: dict[str, str]) -> bytes:
        from agentplatform.aws import client

        plaintext: bytes = client("kms").decrypt(CiphertextBlob=wrapped, EncryptionContext=context)[
            "Plaintext"
        ]
        return plaintext


class LocalKeyWrapper:
    source = "local"

    def __init__(self, master_key: bytes):
        if len(master_key) != KEY_BYTES:
            raise MissingConfigError("CREDENTIALS_LOCAL_KEY must be 32 bytes, base64-encoded")
        self._master = master_key

    def new_data_key(self, context: dict[str, str]) -> tuple[bytes, bytes]:
        data_key = secrets.token_bytes(KEY_BYTES)
        nonce = secrets.token_bytes(NONCE_BYTES)
        return data_key, nonce + _aesgcm(self._master).encrypt(nonce, data_key, _aad(context))

    def unwrap(self, wrapped: bytes, context: dict[str, str]) -> bytes:
        nonce, body = wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]
        data_key: bytes = _aesgcm(self._master).decrypt(nonce, body, _aad(context))
        return data_key


def _load_key_file(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting together must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode())
    return base64.b64decode(path.read_text().strip())


def wrapper_for(source: str | None = None) -> KeyWrapper:
    """The configured wrapper (``source=None``), or the one able to unwrap ``source``."""
    env = os.environ
    kms_key = env.get("CREDENTIALS_KMS_KEY_ID", "").strip()
    if source in (None, "kms") and kms_key:
        return KmsKeyWrapper(kms_key)
    if source in (None, "local"):
        if raw := env.get("CREDENTIALS_LOCAL_KEY", "").strip():
            return LocalKeyWrapper(base64.b64decode(raw))
        if key_file := env.get("CREDENTIALS_LOCAL_KEY_FILE", "").strip():
            return LocalKeyWrapper(_load_key_file(Path(key_file)))
    wanted = (
        "CREDENTIALS_KMS_KEY_ID" if source == "kms" else "CREDENTIALS_KMS_KEY_ID or CREDENTIALS_LOCAL_KEY"
    )
    raise MissingConfigError(f"Credentials encryption is not configured: set {wanted}")


def seal(plaintext: bytes, context: dict[str, str]) -> SealedSecret:
    wrapper = wrapper_for()
    data_key, wrapped = wrapper.new_data_key(context)
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = _aesgcm(data_key).encrypt(nonce, plaintext, _aad(context))
    return SealedSecret(wrapper.source, wrapped, nonce, ciphertext)


def open_sealed(sealed: SealedSecret, context: dict[str, str]) -> bytes:
    data_key = wrapper_for(sealed.key_source).unwrap(sealed.wrapped_key, context)
    plaintext: bytes = _aesgcm(data_key).decrypt(sealed.nonce, sealed.ciphertext, _aad(context))
    return plaintext
