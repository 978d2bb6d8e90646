"""Lazily created, process-wide boto3 clients.

Clients are built on first use so a handler that never touches S3 never pays for it.
``AWS_ENDPOINT_URL`` (honoured by botocore itself) points them at another emulator.
Tests and the local cloud call ``reset_clients()`` after starting moto.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

_lock = threading.Lock()


@cache
def _client(service: str, endpoint_url: str | None) -> Any:
    import boto3  # deferred: boto3 costs ~100 ms to import

    with _lock:  # boto3's default session is not thread-safe while creating clients
        return boto3.session.Session().client(service, endpoint_url=endpoint_url)


def client(service: str, endpoint_url: str | None = None) -> Any:
    return _client(service, endpoint_url)


def reset_clients() -> None:
    _client.cache_clear()
