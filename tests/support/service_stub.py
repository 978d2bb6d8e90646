"""Loopback stubs of third-party services, reached the way production code reaches the
real hosts: ``OUTBOUND_HOST_OVERRIDES`` maps each service host to the stub, with path,
query and ``Host`` kept.

``service_stub(monkeypatch, hosts, routes)`` runs one (a context manager); the
``service_stubs`` fixture starts any number for one test, each alive until it ends. A
``ServiceStub`` answers

- ``routes``: exact paths -> ``Route`` (``tests/support/http_server.py``), any method;
- ``stub.route(method, pattern, handler)``: a method and a path regex; the handler gets
  the request and the match (path parameters).

Replies are ``(status, headers, body)``, built with ``json_reply``/``text_reply``. Every
request is recorded (``stub.requests``, ``stub.calls(method, pattern)``) with its query
and JSON or form body decoded and case-insensitive headers. While a stub runs, polling
waits are 10 ms. Each service's wire format is in ``tests/support/service_fakes.py``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support.api import ApiGatewayClient
from tests.support.http_server import (
    LoopbackServer,
    RecordedRequest,
    Reply,
    Route,
    json_reply,
    loopback_server,
)

Handler = Callable[[RecordedRequest, "re.Match[str]"], Reply]


class ServiceStub:
    """One loopback server standing in for a service's hosts."""

    def __init__(self) -> None:
        self.handlers: list[tuple[str, re.Pattern[str], Handler]] = []
        self.server: LoopbackServer | None = None  # set once it runs

    @property
    def requests(self) -> list[RecordedRequest]:
        assert self.server is not None
        return self.server.requests

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self.handlers.append((method, re.compile(pattern), handler))

    def calls(self, method: str, pattern: str) -> list[RecordedRequest]:
        """The requests for ``method`` whose path (without the query) matches ``pattern``."""
        regex = re.compile(pattern)
        return [r for r in self.requests if r.method == method and regex.fullmatch(urlsplit(r.path).path)]

    def answer(self, request: RecordedRequest) -> Reply:
        """The reply of the first handler routed for the request (the server's fallback
        for paths that are not in ``routes``)."""
        path = urlsplit(request.path).path
        for method, pattern, handler in self.handlers:
            match = pattern.fullmatch(path)
            if match and method == request.method:
                return handler(request, match)
        return json_reply(404, {"error": f"no route for {request.method} {path}"})


@contextmanager
def _environment(monkeypatch: pytest.MonkeyPatch, **values: str) -> Iterator[None]:
    """Set settings for the block, then put back what was there."""
    from agentplatform.config import get_settings

    before = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        get_settings.cache_clear()


@contextmanager
def service_stub(
    monkeypatch: pytest.MonkeyPatch,
    hosts: Iterable[str],
    routes: dict[str, Route] | None = None,
) -> Iterator[ServiceStub]:
    """A running stub that requests for ``hosts`` reach (added to any other stub's)."""
    stub = ServiceStub()
    with loopback_server(routes or {}, fallback=stub.answer) as server:
        stub.server = server
        earlier = os.environ.get("OUTBOUND_HOST_OVERRIDES")
        overrides = [earlier] if earlier else []
        overrides += [f"{host}={server.base_url}" for host in hosts]
        with _environment(
            monkeypatch, OUTBOUND_HOST_OVERRIDES=",".join(overrides), SERVICE_POLL_INTERVAL_SECONDS="0.01"
        ):
            yield stub


@pytest.fixture
def service_stubs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., ServiceStub]]:
    """``start(*hosts)``: a running stub that requests for ``hosts`` reach, for the test."""
    with ExitStack() as running:
        yield lambda *hosts: running.enter_context(service_stub(monkeypatch, hosts))


# -- graph runs with stored credentials


def add_credential(api: ApiGatewayClient, provider: str, **secret: Any) -> dict[str, Any]:
    """Store a credential for the ``api`` fixture's user; its ``CredentialsMetaInput``.

    ``api_key=``, ``username=`` and ``password=`` go through the integrations API;
    ``access_token=`` (with ``scopes=``) is an OAuth2 credential, written to the store
    directly as no OAuth app is configured in tests."""
    if "access_token" in secret:
        from agentplatform.models.credentials import OAuth2Credentials
        from agentplatform.store.credentials import CredentialsRepository
        from tests.conftest import USER_ID

        creds = OAuth2Credentials(provider=provider, title="t", **secret)
        CredentialsRepository().create(USER_ID, creds)
        return {"id": creds.id, "provider": provider, "type": "oauth2", "title": "t"}
    kind = "user_password" if "password" in secret else "api_key"
    resp = api.post(
        f"/api/integrations/{provider}/credentials", json_body={"type": kind, "title": "t", **secret}
    )
    assert resp.status_code == 201, resp.content
    return {"id": resp.json()["id"], "provider": provider, "type": kind, "title": "t"}


def run_with(
    api: ApiGatewayClient, graph: dict[str, Any], inputs: dict[str, Any], *credentials: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Import ``graph``, run it with each credential in its aggregated input; (created, run)."""
    from tests.support.runs import create_graph, wait_for

    created = create_graph(api, graph)
    fields = created["credentials_input_schema"]["properties"]
    by_provider = {meta["provider"]: meta for meta in credentials}
    credentials_inputs = {key: by_provider[field["credentials_provider"][0]] for key, field in fields.items()}
    resp = api.post(
        f"/api/graphs/{created['id']}/execute/{created['version']}",
        json_body={"inputs": inputs, "credentials_inputs": credentials_inputs},
    )
    assert resp.status_code == 200, resp.content
    return created, wait_for(api, created["id"], resp.json()["id"])


def node_runs(run: dict[str, Any], created: dict[str, Any], block_id: str) -> list[dict[str, Any]]:
    """The executions of the nodes running ``block_id``."""
    ids = {n["id"] for n in created["nodes"] if n["block_id"] == block_id}
    return [n for n in run["node_executions"] if n["node_id"] in ids]
