"""A loopback Gmail + Google Calendar speaking the REST APIs' wire format.

A small mailbox (messages with MIME payloads as Gmail returns them, labels) and one
calendar. Requests need ``Authorization: Bearer <a token in valid_tokens>``; errors
are Google's JSON error objects. ``fail_with(status)`` makes the next request fail.
Sent mail is kept both raw and parsed (``sent``) for assertions.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from collections.abc import Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.support.http_server import LoopbackServer, RecordedRequest, loopback_server

HOSTS = ("gmail.googleapis.com", "www.googleapis.com")
_ids = itertools.count(100)

Answer = tuple[int, dict[str, str], bytes]


def b64url(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _json(status: int, payload: Any) -> Answer:
    return status, {"Content-Type": "application/json; charset=UTF-8"}, json.dumps(payload).encode()


def google_error(status: int, message: str, reason: str) -> Answer:
    return _json(status, {"error": {"code": status, "message": message, "status": reason}})


def text_message(
    msg_id: str,
    *,
    subject: str,
    sender: str,
    to: str,
    body: str,
    thread_id: str | None = None,
    cc: str = "",
    html: str | None = None,
    attachment: tuple[str, bytes] | None = None,
    extra_headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A message resource as ``users.messages.get?format=full`` returns it."""
    headers = {"From": sender, "To": to, "Subject": subject, "Date": "Tue, 3 Jun 2025 09:00:00 +0000"}
    headers.update({"Cc": cc} if cc else {})
    headers.update({"Message-ID": f"<{msg_id}@mail.example.com>"}, **(extra_headers or {}))
    parts: list[dict[str, Any]] = [{"partId": "0", "mimeType": "text/plain", "body": {"data": b64url(body)}}]
    if html is not None:
        parts = [
            {
                "partId": "0",
                "mimeType": "multipart/alternative",
                "parts": [{"partId": "0.0", "mimeType": "text/html", "body": {"data": b64url(html)}}],
            }
        ]
    if attachment:
        name, content = attachment
        parts.append(
            {
                "partId": "1",
                "mimeType": "application/pdf",
                "filename": name,
                "body": {"attachmentId": f"att-{msg_id}", "size": len(content)},
                "_content": b64url(content),
            }
        )
    return {
        "id": msg_id,
        "threadId": thread_id or f"thread-{msg_id}",
        "labelIds": ["INBOX", "UNREAD"],
        "snippet": body[:100],
        "sizeEstimate": 1000 + len(body),
        "payload": {
            "mimeType": "multipart/mixed",
            "headers": [{"name": k, "value": v} for k, v in headers.items()],
            "body": {"size": 0},
            "parts": parts,
        },
    }


@dataclass
class GoogleApiStub:
    server: LoopbackServer | None = None
    valid_tokens: Container[str] = field(default_factory=set)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    labels: list[dict[str, str]] = field(
        default_factory=lambda: [{"id": "INBOX", "name": "INBOX", "type": "system"}]
    )
    events: list[dict[str, Any]] = field(default_factory=list)
    sent: list[Message] = field(default_factory=list)
    sent_bodies: list[dict[str, Any]] = field(default_factory=list)
    queries: list[dict[str, list[str]]] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)

    def add(self, message: dict[str, Any]) -> None:
        self.messages[message["id"]] = message

    def fail_with(self, status: int) -> None:
        self.failures.append(status)

    # -- dispatch

    def handle(self, req: RecordedRequest) -> Answer:
        url = urlsplit(req.path)
        query = parse_qs(url.query)
        self.queries.append(query)
        token = {k.lower(): v for k, v in req.headers.items()}.get("authorization", "").removeprefix(
            "Bearer "
        )
        if token not in self.valid_tokens:
            return google_error(
                401,
                "Request had invalid authentication credentials. Expected OAuth 2 access token.",
                "UNAUTHENTICATED",
            )
        if self.failures:
            status = self.failures.pop(0)
            reason = "INTERNAL" if status >= 500 else "FAILED_PRECONDITION"
            return google_error(status, f"Backend Error {status}", reason)
        body = json.loads(req.body) if req.body else {}
        path = url.path
        for pattern, method, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if match and req.method == method:
                return handler(query, body, *map(unquote, match.groups()))
        return google_error(404, "Not Found", "NOT_FOUND")

    def _routes(self) -> list[tuple[str, str, Any]]:
        gmail = "/gmail/v1/users/me"
        return [
            (f"{gmail}/messages", "GET", self.list_messages),
            (f"{gmail}/messages/send", "POST", self.send),
            (f"{gmail}/messages/([^/]+)", "GET", self.get_message),
            (f"{gmail}/messages/([^/]+)/modify", "POST", self.modify),
            (f"{gmail}/messages/([^/]+)/attachments/([^/]+)", "GET", self.get_attachment),
            (f"{gmail}/labels", "GET", self.list_labels),
            (f"{gmail}/labels", "POST", self.create_label),
            ("/calendar/v3/calendars/([^/]+)/events", "GET", self.list_events),
        ]

    # -- Gmail

    def list_messages(self, query: dict[str, list[str]], _body: Any) -> Answer:
        limit = int(query.get("maxResults", ["100"])[0])
        found = [{"id": m["id"], "threadId": m["threadId"]} for m in self.messages.values()][:limit]
        return _json(
            200, {"messages": found, "resultSizeEstimate": len(found)} if found else {"resultSizeEstimate": 0}
        )

    def get_message(self, query: dict[str, list[str]], _body: Any, msg_id: str) -> Answer:
        message = self.messages.get(msg_id)
        if message is None:
            return google_error(404, "Requested entity was not found.", "NOT_FOUND")
        shown = json.loads(json.dumps(message))
        for part in shown["payload"].get("parts", []):
            part.pop("_content", None)
        if query.get("format") == ["metadata"]:
            wanted = {h.lower() for h in query.get("metadataHeaders", [])}
            headers = shown["payload"]["headers"]
            shown["payload"] = {
                "mimeType": shown["payload"]["mimeType"],
                "headers": [h for h in headers if not wanted or h["name"].lower() in wanted],
            }
        return _json(200, shown)

    def get_attachment(self, _query: Any, _body: Any, msg_id: str, attachment_id: str) -> Answer:
        for part in self.messages.get(msg_id, {}).get("payload", {}).get("parts", []):
            if part.get("body", {}).get("attachmentId") == attachment_id:
                return _json(200, {"size": part["body"]["size"], "data": part["_content"]})
        return google_error(404, "Requested entity was not found.", "NOT_FOUND")

    def send(self, _query: Any, body: dict[str, Any]) -> Answer:
        raw = base64.urlsafe_b64decode(body["raw"] + "=" * (-len(body["raw"]) % 4))
        self.sent.append(message_from_bytes(raw))
        self.sent_bodies.append(body)
        msg_id = f"sent-{next(_ids)}"
        return _json(200, {"id": msg_id, "threadId": body.get("threadId", msg_id), "labelIds": ["SENT"]})

    def modify(self, _query: Any, body: dict[str, Any], msg_id: str) -> Answer:
        message = self.messages.get(msg_id)
        if message is None:
            return google_error(404, "Requested entity was not found.", "NOT_FOUND")
        known = {label["id"] for label in self.labels}
        if any(label not in known for label in body.get("addLabelIds", [])):
            return google_error(400, "Invalid label: unknown", "INVALID_ARGUMENT")
        message["labelIds"] = list(dict.fromkeys([*message["labelIds"], *body.get("addLabelIds", [])]))
        return _json(200, {"id": msg_id, "threadId": message["threadId"], "labelIds": message["labelIds"]})

    def list_labels(self, _query: Any, _body: Any) -> Answer:
        return _json(200, {"labels": self.labels})

    def create_label(self, _query: Any, body: dict[str, Any]) -> Answer:
        label = {"id": f"Label_{next(_ids)}", "name": body["name"], "type": "user"}
        self.labels.append(label)
        return _json(200, label)

    # -- Calendar

    def list_events(self, query: dict[str, list[str]], _body: Any, calendar_id: str) -> Answer:
        if calendar_id != "primary":
            return google_error(404, "Not Found", "NOT_FOUND")
        limit = int(query.get("maxResults", ["250"])[0])
        return _json(
            200, {"kind": "calendar#events", "summary": "ada@example.com", "items": self.events[:limit]}
        )


@contextmanager
def google_api_stub(*tokens: str) -> Iterator[GoogleApiStub]:
    stub = GoogleApiStub(valid_tokens=set(tokens))
    with loopback_server({}, fallback=stub.handle) as server:
        stub.server = server
        yield stub


@dataclass
class GoogleServices:
    api: GoogleApiStub
    oauth: Any  # tests.support.oauth_stub.OAuthProviderStub

    def credential(
        self, user_id: str, *, expires_in: int = 3600, scopes: list[str] | None = None
    ) -> dict[str, Any]:
        """Store a Google OAuth2 credential for ``user_id``; its node input (meta)."""
        import time

        from pydantic import SecretStr

        from agentplatform.models.credentials import OAuth2Credentials
        from agentplatform.store.credentials import CredentialsRepository

        token = self.oauth.issue("google", scopes or ["https://www.googleapis.com/auth/gmail.modify"])
        creds = OAuth2Credentials(
            provider="google",
            title="Work Google",
            username="ada@example.com",
            access_token=SecretStr(token["access_token"]),
            access_token_expires_at=int(time.time()) + expires_in,
            refresh_token=SecretStr(token["refresh_token"]),
            scopes=token["scope"].split(),
        )
        CredentialsRepository().create(user_id, creds)
        return {"id": creds.id, "provider": "google", "type": "oauth2", "title": creds.title}


@contextmanager
def google_services() -> Iterator[GoogleServices]:
    """Gmail + Calendar and Google's token endpoint on loopback; Gmail and Calendar accept
    exactly the access tokens the token endpoint has issued and not expired."""
    from tests.support.oauth_stub import OAuthProviderStub, oauth_environment

    oauth = OAuthProviderStub()
    api = GoogleApiStub()
    with (
        loopback_server(oauth.routes()) as oauth_server,
        loopback_server({}, fallback=api.handle) as api_server,
    ):
        oauth.server, api.server = oauth_server, api_server
        api.valid_tokens = oauth.access_tokens.keys()  # a live view: refreshed tokens count at once
        overrides = {"oauth2.googleapis.com": oauth_server.base_url}
        overrides.update(dict.fromkeys(HOSTS, api_server.base_url))
        with oauth_environment(overrides):
            yield GoogleServices(api=api, oauth=oauth)
