"""Making and checking secrets that are stored only as a salted Scrypt hash.

API keys are ``agpt_`` + ``secrets.token_urlsafe(32)`` (AutoGPT's format); OAuth client
secrets use the same hashing. Scrypt costs n=2^14, r=8, p=1 (AutoGPT's parameters,
~16 MiB and tens of milliseconds per check): cheap enough once, too slow to guess with.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import NamedTuple

API_KEY_PREFIX = "agpt_"
HEAD_LENGTH = 8
TAIL_LENGTH = 8
# Keys are found by this much of their start: ``agpt_`` + 11 random characters (66 bits),
# so two keys practically never share it and a check costs one Scrypt, not one per key
# sharing the 8-character display head (3 random characters). The 32 characters past
# it (192 bits) stay secret.
LOOKUP_LENGTH = 16

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _HASH_BYTES, _SALT_BYTES = 2**14, 8, 1, 32, 32


class HashedSecret(NamedTuple):
    hash: str
    salt: str


class NewKey(NamedTuple):
    key: str
    stored: dict[str, str]  # what is kept: head, tail, lookup prefix, hash and salt


def scrypt_hex(secret: str, salt: bytes) -> str:
    return hashlib.scrypt(
        secret.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=_HASH_BYTES
    ).hex()


def hash_secret(secret: str) -> HashedSecret:
    salt = secrets.token_bytes(_SALT_BYTES)
    return HashedSecret(scrypt_hex(secret, salt), salt.hex())


def verify_secret(secret: str, hash_hex: str, salt_hex: str) -> bool:
    try:
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    return hmac.compare_digest(scrypt_hex(secret, salt), hash_hex)


def lookup_prefix(key: str) -> str | None:
    """The part of a presented key its record is found by, or None if it is no key of ours."""
    if not key.startswith(API_KEY_PREFIX) or len(key) < LOOKUP_LENGTH + TAIL_LENGTH:
        return None
    return key[:LOOKUP_LENGTH]


def generate_key() -> NewKey:
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    hashed = hash_secret(key)
    stored = {
        "head": key[:HEAD_LENGTH],
        "tail": key[-TAIL_LENGTH:],
        "lookup": key[:LOOKUP_LENGTH],
        "hash": hashed.hash,
        "salt": hashed.salt,
    }
    return NewKey(key, stored)
