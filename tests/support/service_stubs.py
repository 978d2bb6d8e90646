"""Loopback stubs of third-party services, in each service's own wire format, reached
the way production traffic is redirected: ``OUTBOUND_HOST_OVERRIDES`` maps the real
host names (``s.jina.ai``, ``discord.com``, ...) to the stub.

Each ``*_routes`` builder returns routes for ``tests.support.http_server``; stubs that
check credentials echo a wrong key in their error, as some real services do, so tests
can prove the block scrubs it.
"""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import pytest

from tests.support.api import ApiGatewayClient
from tests.support.http_server import LoopbackServer, RecordedRequest, Route, loopback_server

Reply = tuple[int, dict[str, str], bytes]


@contextmanager
def service_stub(
    monkeypatch: pytest.MonkeyPatch, hosts: list[str], routes: dict[str, Route]
) -> Iterator[LoopbackServer]:
    """A stub answering for ``hosts`` (through ``OUTBOUND_HOST_OVERRIDES``)."""
    from agentplatform.config import get_settings

    with loopback_server(routes) as server:
        monkeypatch.setenv("OUTBOUND_HOST_OVERRIDES", ",".join(f"{host}={server.base_url}" for host in hosts))
        get_settings.cache_clear()
        try:
            yield server
        finally:
            monkeypatch.delenv("OUTBOUND_HOST_OVERRIDES")
            get_settings.cache_clear()


def add_credential(api: ApiGatewayClient, provider: str, **secret: str) -> dict[str, Any]:
    """Store a credential through the integrations API; its ``CredentialsMetaInput``."""
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


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(payload).encode()


def _text(status: int, text: str, content_type: str = "text/plain; charset=utf-8") -> Reply:
    return status, {"Content-Type": content_type}, text.encode()


def _bearer(req: RecordedRequest) -> str:
    return req.headers.get("Authorization", "").removeprefix("Bearer ").removeprefix("Bot ")


def _query(req: RecordedRequest) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(req.path).query).items()}


# ---------------------------------------------------------------- Jina (s.jina.ai, r.jina.ai)


def jina_routes(pages: dict[str, str], key: str) -> dict[str, Route]:
    """``pages``: request path (``/<query>`` or ``/<url>``) -> the markdown Jina answers."""

    def route(path: str, text: str) -> Route:
        def answer(req: RecordedRequest) -> Reply:
            if _bearer(req) != key:
                return _json(
                    401,
                    {
                        "data": None,
                        "code": 401,
                        "name": "AuthenticationRequiredError",
                        "status": 40103,
                        "message": f"Invalid API key: {_bearer(req)}",
                        "readableMessage": f"AuthenticationRequiredError: Invalid API key: {_bearer(req)}",
                    },
                )
            return _text(200, text)

        return answer

    return {path: route(path, text) for path, text in pages.items()}


# ---------------------------------------------------------------- YouTube (www.youtube.com)

YOUTUBE_HOSTS = ["www.youtube.com"]
INNERTUBE_KEY = "stub-innertube-key"


def youtube_routes(transcripts: dict[str, list[str]]) -> dict[str, Route]:
    """``transcripts``: video id -> its English caption lines. Other ids have captions off."""

    def watch(req: RecordedRequest) -> Reply:
        page = f'<html><script>ytcfg.set({{"INNERTUBE_API_KEY":"{INNERTUBE_KEY}","X":1}});</script></html>'
        return _text(200, page, "text/html; charset=utf-8")

    def player(req: RecordedRequest) -> Reply:
        assert _query(req)["key"] == INNERTUBE_KEY
        body = json.loads(req.body)
        video_id = body["videoId"]
        assert body["context"]["client"]["clientName"] == "ANDROID"
        if video_id not in transcripts:
            return _json(200, {"playabilityStatus": {"status": "OK"}, "videoDetails": {"videoId": video_id}})
        base = f"https://www.youtube.com/api/timedtext?v={video_id}&caps=asr&fmt=srv3"
        tracks = [
            {
                "baseUrl": f"{base}&lang=de&kind=asr",
                "languageCode": "de",
                "kind": "asr",
                "name": {"runs": []},
            },
            {"baseUrl": f"{base}&lang=en", "languageCode": "en", "name": {"runs": [{"text": "English"}]}},
        ]
        return _json(
            200,
            {
                "playabilityStatus": {"status": "OK"},
                "captions": {"playerCaptionsTracklistRenderer": {"captionTracks": tracks}},
            },
        )

    def timedtext(req: RecordedRequest) -> Reply:
        query = _query(req)
        assert "fmt" not in query  # the XML format, not srv3
        if query["lang"] != "en":
            return _text(200, '<?xml version="1.0"?><transcript><text start="0">Hallo</text></transcript>')
        lines = "".join(  # caption text is HTML, escaped once more as XML text
            f'<text start="{i}.0" dur="1.5">{escape(line)}</text>'
            for i, line in enumerate(transcripts[query["v"]])
        )
        return _text(
            200, f'<?xml version="1.0" encoding="utf-8" ?><transcript>{lines}</transcript>', "text/xml"
        )

    return {"/watch": watch, "/youtubei/v1/player": player, "/api/timedtext": timedtext}


# ---------------------------------------------------------------- Discord (discord.com/api/v10)

DISCORD_HOSTS = ["discord.com"]
DISCORD_API = "/api/v10"
BOT_ID = "900000000000000001"


def discord_routes(
    token: str,
    channels: list[dict[str, Any]],
    messages: dict[str, list[dict[str, Any]]],
    sent: list[dict[str, Any]],
) -> dict[str, Route]:
    """One server ("AutoGPT", id g1) with ``channels``; ``messages``: channel id ->
    messages newest first; posted messages are appended to ``sent``."""

    def authed(handler: Any) -> Route:
        def answer(req: RecordedRequest) -> Reply:
            if req.headers.get("Authorization") != f"Bot {token}":
                return _json(401, {"message": "401: Unauthorized", "code": 0})
            result: Reply = handler(req)
            return result

        return answer

    def channel_messages(channel_id: str) -> Route:
        def answer(req: RecordedRequest) -> Reply:
            if req.method == "POST":
                content = json.loads(req.body)["content"]
                message = {"id": str(2000 + len(sent)), "channel_id": channel_id, "content": content}
                sent.append(message)
                return _json(200, message)
            assert _query(req)["limit"] == "50"
            return _json(200, messages.get(channel_id, []))

        return answer

    routes: dict[str, Route] = {
        f"{DISCORD_API}/users/@me": authed(
            lambda req: _json(200, {"id": BOT_ID, "username": "agent", "bot": True})
        ),
        f"{DISCORD_API}/users/@me/guilds": authed(lambda req: _json(200, [{"id": "g1", "name": "AutoGPT"}])),
        f"{DISCORD_API}/guilds/g1/channels": authed(lambda req: _json(200, channels)),
    }
    for channel in channels:
        routes[f"{DISCORD_API}/channels/{channel['id']}/messages"] = authed(channel_messages(channel["id"]))
        routes[f"{DISCORD_API}/channels/{channel['id']}"] = authed(lambda req, c=channel: _json(200, c))
    return routes


def discord_message(
    message_id: str, author_id: str, username: str, content: str, **extra: Any
) -> dict[str, Any]:
    return {"id": message_id, "author": {"id": author_id, "username": username}, "content": content, **extra}


# ---------------------------------------------------------------- E2B (api.e2b.app and sandbox hosts)

SANDBOX_ID = "sbx-stub-1"
E2B_HOSTS = ["api.e2b.app", f"49983-{SANDBOX_ID}.e2b.app", f"49999-{SANDBOX_ID}.e2b.app"]
SANDBOX_TOKEN = "envd-token-secret-1"


def connect_stream(*messages: dict[str, Any], error: dict[str, Any] | None = None) -> bytes:
    """A Connect streaming body: enveloped messages, then the end-of-stream envelope."""
    body = b""
    for message in messages:
        data = json.dumps(message).encode()
        body += struct.pack(">BI", 0, len(data)) + data
    end = json.dumps({"error": error} if error else {}).encode()
    return body + struct.pack(">BI", 2, len(end)) + end


def e2b_routes(
    key: str, commands: dict[str, tuple[int, str, str]], cells: dict[str, list[dict[str, Any]]]
) -> dict[str, Route]:
    """``commands``: shell command -> (exit code, stdout, stderr); ``cells``: code -> the
    output lines the code interpreter streams for it."""

    def sandboxes(req: RecordedRequest) -> Reply:
        if req.headers.get("X-API-Key") != key:
            return _json(401, {"code": 401, "message": f"Invalid API key: {req.headers.get('X-API-Key')}"})
        body = json.loads(req.body)
        return _json(
            201,
            {
                "templateID": body["templateID"],
                "sandboxID": SANDBOX_ID,
                "clientID": "stub",
                "envdVersion": "0.2.4",
                "envdAccessToken": SANDBOX_TOKEN,
                "domain": None,
            },
        )

    def start_process(req: RecordedRequest) -> Reply:
        assert req.headers.get("X-Access-Token") == SANDBOX_TOKEN
        assert req.headers.get("Content-Type") == "application/connect+json"
        flags, length = struct.unpack(">BI", req.body[:5])
        assert flags == 0  # an uncompressed message
        start = json.loads(req.body[5 : 5 + length])
        command = start["process"]["args"][-1]
        exit_code, stdout, stderr = commands[command]
        events: list[dict[str, Any]] = [{"event": {"start": {"pid": 7}}}]
        for stream, text in (("stdout", stdout), ("stderr", stderr)):
            if text:
                events.append({"event": {"data": {stream: base64.b64encode(text.encode()).decode()}}})
        end: dict[str, Any] = {"exited": True, "status": f"exit status {exit_code}"}
        if exit_code:
            end["exitCode"] = exit_code  # protobuf JSON leaves zero values out
        events.append({"event": {"end": end}})
        return 200, {"Content-Type": "application/connect+json"}, connect_stream(*events)

    def execute(req: RecordedRequest) -> Reply:
        assert req.headers.get("X-Access-Token") == SANDBOX_TOKEN
        body = json.loads(req.body)
        lines = cells[body["code"]]
        stream = "\n".join(json.dumps(line) for line in [*lines, {"type": "end_of_execution"}]) + "\n"
        return _text(200, stream, "application/x-ndjson")

    def sandbox(req: RecordedRequest) -> Reply:
        assert req.method == "DELETE" and req.headers.get("X-API-Key") == key
        return 204, {}, b""

    return {
        "/sandboxes": sandboxes,
        f"/sandboxes/{SANDBOX_ID}": sandbox,
        "/process.Process/Start": start_process,
        "/execute": execute,
    }


# ---------------------------------------------------------------- Google Places API (New)

PLACES_HOSTS = ["places.googleapis.com"]


def places_routes(key: str, pages: list[list[dict[str, Any]]]) -> dict[str, Route]:
    """Text Search answering ``pages`` in turn (``nextPageToken`` = "page-<n>")."""

    def search(req: RecordedRequest) -> Reply:
        if req.headers.get("X-Goog-Api-Key") != key:
            return _json(
                400,
                {
                    "error": {
                        "code": 400,
                        "message": "API key not valid. Please pass a valid API key.",
                        "status": "INVALID_ARGUMENT",
                        "details": [
                            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}
                        ],
                    }
                },
            )
        assert "places.displayName" in req.headers["X-Goog-FieldMask"]
        body = json.loads(req.body)
        index = int(body.get("pageToken", "page-0").split("-")[1])
        page: dict[str, Any] = {"places": pages[index][: body["pageSize"]]}
        if index + 1 < len(pages):
            page["nextPageToken"] = f"page-{index + 1}"
        return _json(200, page)

    return {"/v1/places:searchText": search}


def places_place(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"ChIJ-{name}",
        "displayName": {"text": name, "languageCode": "en"},
        "formattedAddress": f"1 {name} St, Springfield",
        "location": {"latitude": 40.75, "longitude": -73.99},
        "googleMapsUri": f"https://maps.google.com/?cid={len(name)}",
        **fields,
    }
