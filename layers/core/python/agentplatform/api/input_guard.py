"""Refuse request bodies the platform could store but never serve back.

Python's ``json`` accepts a lone UTF-16 surrogate escape (``"x\\ud800y"``) and the
non-standard ``NaN``/``Infinity`` tokens. Stored, such a value makes every later response
that includes it fail to serialise, so one bad request could break a user's list routes
for good. Both are refused here, before any route runs: a 400 in the standard envelope,
nothing written. (The path, query and headers are checked at the Lambda boundary,
``api/lambda_entry.py``, because Mangum cannot even encode them.)

The body check is cheap for ordinary requests: a strict UTF-8 decode and one regular
expression over the text; only a body that contains a surrogate escape or one of the
non-standard tokens is parsed to find out whether it is really bad.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A surrogate escape (high D800-DBFF, low DC00-DFFF) or a bare NaN/Infinity token.
_SUSPECT = re.compile(r"\\u[dD][89a-fA-F]|NaN|Infinity")
_SURROGATE = re.compile("[\ud800-\udfff]")
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
NOT_UNICODE = "cannot be encoded as UTF-8 (it contains a lone UTF-16 surrogate or invalid bytes)"
NOT_JSON_NUMBER = "NaN and Infinity are not valid JSON numbers"


def encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def first_unencodable(value: Any, where: str = "body") -> str | None:
    """Where in a JSON value the first string that is not valid Unicode sits, if any."""
    if isinstance(value, str):
        return None if encodable(value) else where
    if isinstance(value, dict):
        for key, item in value.items():
            if not encodable(key):
                return where
            found = first_unencodable(item, f"{where}.{key}")
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = first_unencodable(item, f"{where}[{index}]")
            if found:
                return found
    return None


def _refuse_constant(token: str) -> Any:
    raise ValueError(NOT_JSON_NUMBER)


def body_problem(body: bytes) -> str | None:
    """Why a JSON request body must be refused, or None to let the route parse it."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return f"The request body {NOT_UNICODE}"
    if not _SUSPECT.search(text):
        return None
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as exc:
        # Malformed JSON is the route's to report (422); only the tokens are ours.
        return NOT_JSON_NUMBER if str(exc) == NOT_JSON_NUMBER else None
    where = first_unencodable(document)
    return f"A string in the request body ({where}) {NOT_UNICODE}" if where else None


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers") or []:
        if name == b"content-type":
            return b"json" in value.lower()
    return True  # FastAPI reads a body without a content type as JSON


def printable(text: str) -> str:
    """``text`` safe to echo in an error message: lone surrogates become U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


class InputGuardMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = None
        if scope.get("method") in _BODY_METHODS and _is_json(scope):
            body, receive = await _buffered(receive)
            problem = body_problem(body) if body else None
        if problem is None:
            await self.app(scope, receive, send)
            return
        from agentplatform.api.errors import envelope

        response = envelope(scope.get("method", ""), printable(scope.get("path", "")), 400, problem)
        await response(scope, receive, send)


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a ``receive`` that hands it to the app again."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay
