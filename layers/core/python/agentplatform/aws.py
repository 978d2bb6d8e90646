"""Lazily created, process-wide AWS clients.

Clients are built on first use so a handler that never touches S3 never pays for it.
``AWS_ENDPOINT_URL`` (honoured by botocore itself) points them at another emulator.
Tests and the local cloud call ``reset_clients()`` after starting moto.

Every client comes from one botocore session, and every session shares one data loader:
botocore parses its JSON service models (and endpoints) once per process instead of once
per client. They are plain botocore clients: the code uses none of the transfer helpers
boto3 would add.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

_lock = threading.Lock()


@cache
def _loader() -> Any:
    from botocore.loaders import create_loader  # deferred: botocore costs ~100 ms to import

    return create_loader()


@cache
def _session() -> Any:
    from botocore.session import Session

    # Built after reset_clients(): a session takes its event handlers (moto's among them,
    # in tests) when it is created.
    session = Session()
    session.register_component("data_loader", _loader())
    return session


@cache
def _client(service: str, endpoint_url: str | None) -> Any:
    with _lock:  # a botocore session is not thread-safe while creating clients
        return _session().create_client(service, endpoint_url=endpoint_url)


def client(service: str, endpoint_url: str | None = None) -> Any:
    return _client(service, endpoint_url)


def reset_clients() -> None:
    """Forget clients and their session: the next ones see the environment as it is now."""
    with _lock:
        _client.cache_clear()
        _session.cache_clear()
