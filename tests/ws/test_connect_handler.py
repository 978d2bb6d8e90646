"""The ``$connect`` handler as API Gateway invokes it: it can only answer 401 or 403."""

from __future__ import annotations

import json

import pytest

from tests.conftest import USER_ID
from tests.ws.test_connect_auth import _token


def _connect_event(query: dict[str, str] | None) -> dict[str, object]:
    from local.websocket import websocket_event

    return websocket_event(
        "$connect", "conn-1=", query="&".join(f"{k}={v}" for k, v in (query or {}).items())
    )


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [(None, 401, 4001), ({"token": _token(sub=None)}, 403, 4002), ({"token": "garbage"}, 403, 4003)],
)
def test_on_aws_the_handshake_is_refused_with_401_or_403(cloud, query, status, code):
    from functions.websocket.connect import handler

    result = handler(_connect_event(query), None)
    assert result["statusCode"] == status
    assert json.loads(result["body"])["code"] == code


def test_connect_handler_accepts_a_valid_token(cloud):
    from agentplatform.store.connections import ConnectionRepository
    from functions.websocket.connect import handler
    from tests.ws.conftest import token_for

    assert handler(_connect_event({"token": token_for(USER_ID)}), None) == {"statusCode": 200}
    assert ConnectionRepository().get("conn-1=")["user_id"] == USER_ID  # type: ignore[index]
