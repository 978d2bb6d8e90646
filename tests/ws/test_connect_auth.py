"""``$connect`` authentication: AutoGPT's close codes locally, HTTP statuses on AWS."""

from __future__ import annotations

import time

import jwt
import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import TEST_JWT_SECRET, USER_ID
from tests.ws.support import Client


def _claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": USER_ID,
        "aud": "authenticated",
        "role": "authenticated",
        "iat": now,
        # Tokens are minted when the module is collected: they must outlive a long suite.
        "exp": now + 6 * 3600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _token(secret: str = TEST_JWT_SECRET, **overrides: object) -> str:
    return jwt.encode(_claims(**overrides), secret, algorithm="HS256")


def _close_of(url: str) -> tuple[int, str]:
    client = Client(url)
    with pytest.raises(ConnectionClosed) as closed:
        client.recv()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


@pytest.mark.parametrize(
    ("query", "code", "reason"),
    [
        (None, 4001, "Missing authentication token"),
        ("token=", 4001, "Missing authentication token"),
        (f"token={_token(sub=None)}", 4002, "Invalid token"),
        (f"token={_token(sub='')}", 4002, "Invalid token"),
        (f"token={_token(secret='another-secret-that-is-long-enough-for-hs256-xx')}", 4003, "Invalid token"),
        (f"token={_token(exp=int(time.time()) - 60)}", 4003, "Invalid token"),
        (f"token={_token(aud='someone-else')}", 4003, "Invalid token"),
        ("token=not.a.jwt", 4003, "Invalid token"),
    ],
)
def test_refused_connections_close_with_autogpts_codes(ws_server, query, code, reason):
    assert _close_of(ws_server.url(query=query or "")) == (code, reason)


def test_a_valid_token_connects_and_registers_the_user(ws_server, user_token):
    from agentplatform.store.connections import ConnectionRepository

    with Client(ws_server.url(user_token)) as client:
        assert client.ping()["data"] == "pong"
        client.subscribe("exec-1")
        from agentplatform.store import keys
        from agentplatform.store.table import Table

        subscribers = ConnectionRepository().subscribers(f"{USER_ID}|graph_exec#exec-1")
        assert len(subscribers) == 1
        connection = ConnectionRepository().get(subscribers[0].connection_id)
        assert connection is not None and connection["user_id"] == USER_ID
        assert connection["channels"] == {f"{USER_ID}|graph_exec#exec-1"}
        # Expires with API Gateway's 2 h connection limit.
        assert 2 * 3600 <= connection["ttl"] - int(time.time()) <= 2 * 3600 + 600
        assert Table().get(keys.connection_pk(subscribers[0].connection_id), keys.CONNECTION_SK) is not None
    # $disconnect removes the connection and its subscriptions.
    connection_id = subscribers[0].connection_id
    _wait_until(lambda: ConnectionRepository().get(connection_id) is None)
    assert ConnectionRepository().subscribers(f"{USER_ID}|graph_exec#exec-1") == []


def _wait_until(check, limit: float = 30.0) -> None:
    # A ceiling on waiting for $disconnect, which runs after the socket closes.
    deadline = time.monotonic() + limit
    while not check():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.02)


def test_with_auth_disabled_everyone_is_the_default_user(ws_server, monkeypatch):
    from agentplatform.config import DEFAULT_USER_ID, get_settings

    monkeypatch.setenv("ENABLE_AUTH", "false")
    get_settings.cache_clear()
    try:
        with Client(ws_server.url()) as client:
            ack = client.subscribe("exec-1")
        assert ack["channel"] == f"{DEFAULT_USER_ID}|graph_exec#exec-1"
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
