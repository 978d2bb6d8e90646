"""The wire formats of the services the service blocks call, on loopback stubs
(``tests/support/service_stub.py``).

Each service's stub checks authentication the way the service does: a wrong key gets
the service's own error reply, which here echoes the key back (as some real services
do) so tests can prove the block scrubs it. Simple services are ``*_routes`` builders
(exact paths); REST services are ``install_*`` functions routing a ``ServiceStub``
by method and path, with asynchronous jobs modelled as the service runs them: created,
then in progress for a few polls, then finished.
"""

from __future__ import annotations

import base64
import itertools
import json
import struct
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from tests.support.http_server import RecordedRequest, Reply, Route, json_reply, text_reply
from tests.support.service_stub import ServiceStub

# -- Jina (s.jina.ai, r.jina.ai)


def _bearer(req: RecordedRequest) -> str:
    return req.headers.get("Authorization", "").removeprefix("Bearer ").removeprefix("Bot ")


def jina_routes(pages: dict[str, str], key: str) -> dict[str, Route]:
    """``pages``: request path (``/<query>`` or ``/<url>``) -> the markdown Jina answers."""

    def route(path: str, text: str) -> Route:
        def answer(req: RecordedRequest) -> Reply:
            if _bearer(req) != key:
                return json_reply(
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
            return text_reply(200, text)

        return answer

    return {path: route(path, text) for path, text in pages.items()}


# -- YouTube (www.youtube.com)

YOUTUBE_HOSTS = ["www.youtube.com"]
INNERTUBE_KEY = "stub-innertube-key"


def youtube_routes(transcripts: dict[str, list[str]]) -> dict[str, Route]:
    """``transcripts``: video id -> its English caption lines. Other ids have captions off."""

    def watch(req: RecordedRequest) -> Reply:
        page = f'<html><script>ytcfg.set({{"INNERTUBE_API_KEY":"{INNERTUBE_KEY}","X":1}});</script></html>'
        return text_reply(200, page, "text/html; charset=utf-8")

    def player(req: RecordedRequest) -> Reply:
        assert req.query["key"][0] == INNERTUBE_KEY
        body = req.json
        video_id = body["videoId"]
        assert body["context"]["client"]["clientName"] == "ANDROID"
        if video_id not in transcripts:
            return json_reply(
                200, {"playabilityStatus": {"status": "OK"}, "videoDetails": {"videoId": video_id}}
            )
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
        return json_reply(
            200,
            {
                "playabilityStatus": {"status": "OK"},
                "captions": {"playerCaptionsTracklistRenderer": {"captionTracks": tracks}},
            },
        )

    def timedtext(req: RecordedRequest) -> Reply:
        query = {name: values[0] for name, values in req.query.items()}
        assert "fmt" not in query  # the XML format, not srv3
        if query["lang"] != "en":
            return text_reply(
                200, '<?xml version="1.0"?><transcript><text start="0">Hallo</text></transcript>'
            )
        lines = "".join(  # caption text is HTML, escaped once more as XML text
            f'<text start="{i}.0" dur="1.5">{escape(line)}</text>'
            for i, line in enumerate(transcripts[query["v"]])
        )
        return text_reply(
            200, f'<?xml version="1.0" encoding="utf-8" ?><transcript>{lines}</transcript>', "text/xml"
        )

    return {"/watch": watch, "/youtubei/v1/player": player, "/api/timedtext": timedtext}


# -- Discord (discord.com/api/v10)

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
                return json_reply(401, {"message": "401: Unauthorized", "code": 0})
            result: Reply = handler(req)
            return result

        return answer

    def channel_messages(channel_id: str) -> Route:
        def answer(req: RecordedRequest) -> Reply:
            if req.method == "POST":
                content = req.json["content"]
                message = {"id": str(2000 + len(sent)), "channel_id": channel_id, "content": content}
                sent.append(message)
                return json_reply(200, message)
            assert req.query["limit"] == ["50"]
            return json_reply(200, messages.get(channel_id, []))

        return answer

    routes: dict[str, Route] = {
        f"{DISCORD_API}/users/@me": authed(
            lambda req: json_reply(200, {"id": BOT_ID, "username": "agent", "bot": True})
        ),
        f"{DISCORD_API}/users/@me/guilds": authed(
            lambda req: json_reply(200, [{"id": "g1", "name": "AutoGPT"}])
        ),
        f"{DISCORD_API}/guilds/g1/channels": authed(lambda req: json_reply(200, channels)),
    }
    for channel in channels:
        routes[f"{DISCORD_API}/channels/{channel['id']}/messages"] = authed(channel_messages(channel["id"]))
        routes[f"{DISCORD_API}/channels/{channel['id']}"] = authed(lambda req, c=channel: json_reply(200, c))
    return routes


def discord_message(
    message_id: str, author_id: str, username: str, content: str, **extra: Any
) -> dict[str, Any]:
    return {"id": message_id, "author": {"id": author_id, "username": username}, "content": content, **extra}


# -- E2B (api.e2b.app and sandbox hosts)

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
            return json_reply(
                401, {"code": 401, "message": f"Invalid API key: {req.headers.get('X-API-Key')}"}
            )
        body = req.json
        return json_reply(
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
        body = req.json
        lines = cells[body["code"]]
        stream = "\n".join(json.dumps(line) for line in [*lines, {"type": "end_of_execution"}]) + "\n"
        return text_reply(200, stream, "application/x-ndjson")

    def sandbox(req: RecordedRequest) -> Reply:
        assert req.method == "DELETE" and req.headers.get("X-API-Key") == key
        return 204, {}, b""

    return {
        "/sandboxes": sandboxes,
        f"/sandboxes/{SANDBOX_ID}": sandbox,
        "/process.Process/Start": start_process,
        "/execute": execute,
    }


# -- Google Places API (New)

PLACES_HOSTS = ["places.googleapis.com"]


def places_routes(key: str, pages: list[list[dict[str, Any]]]) -> dict[str, Route]:
    """Text Search answering ``pages`` in turn (``nextPageToken`` = "page-<n>")."""

    def search(req: RecordedRequest) -> Reply:
        if req.headers.get("X-Goog-Api-Key") != key:
            return json_reply(
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
        body = req.json
        index = int(body.get("pageToken", "page-0").split("-")[1])
        page: dict[str, Any] = {"places": pages[index][: body["pageSize"]]}
        if index + 1 < len(pages):
            page["nextPageToken"] = f"page-{index + 1}"
        return json_reply(200, page)

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


# -- Asynchronous jobs (Replicate, revid, Firecrawl)

_ids = itertools.count(1)


@dataclass
class Job:
    """An asynchronous job: in progress for ``polls`` status reads, then finished."""

    id: str
    polls: int
    result: Any
    body: dict[str, Any] = field(default_factory=dict)
    reads: int = 0
    cancelled: bool = False

    def poll(self) -> bool:
        """Count one status read; True once the job has finished."""
        self.reads += 1
        return self.reads > self.polls


def _jobs() -> dict[str, Job]:
    return {}


# -- Replicate (https://replicate.com/docs/reference/http)


@dataclass
class ReplicateFake:
    token: str
    output: Any
    polls: int = 2
    failures: int = 0  # the first N predictions end "failed"
    predictions: dict[str, Job] = field(default_factory=_jobs)
    stub: ServiceStub | None = field(default=None, repr=False)  # set by install_*


def install_replicate(stub: ServiceStub, fake: ReplicateFake) -> ReplicateFake:
    fake.stub = stub

    def unauthorized(req: RecordedRequest) -> Reply | None:
        if req.headers.get("authorization") == f"Bearer {fake.token}":
            return None
        detail = f"Invalid token: {req.headers.get('authorization', '')}"
        return json_reply(
            401, {"type": "about:blank", "title": "Unauthenticated", "status": 401, "detail": detail}
        )

    def prediction(job: Job, status: str) -> dict[str, Any]:
        body = {
            "id": job.id,
            "model": job.body["model"],
            "version": "hidden",
            "input": job.body["input"],
            "logs": "",
            "output": None,
            "error": None,
            "status": status,
            "created_at": "2025-01-01T00:00:00.000Z",
            "urls": {
                "get": f"https://api.replicate.com/v1/predictions/{job.id}",
                "cancel": f"https://api.replicate.com/v1/predictions/{job.id}/cancel",
            },
        }
        if status == "succeeded":
            body["output"] = job.result
        if status == "failed":
            body["error"] = "CUDA out of memory"
        return body

    def create(req: RecordedRequest, match: Any) -> Reply:
        if denied := unauthorized(req):
            return denied
        job = Job(id=f"pred{next(_ids)}", polls=fake.polls, result=fake.output)
        job.body = {"model": match["model"], "input": req.json["input"]}
        fake.predictions[job.id] = job
        return json_reply(201, prediction(job, "starting"))

    def get(req: RecordedRequest, match: Any) -> Reply:
        if denied := unauthorized(req):
            return denied
        job = fake.predictions.get(match["id"])
        if job is None:
            return json_reply(
                404,
                {
                    "title": "Not found",
                    "detail": "The requested resource could not be found.",
                    "status": 404,
                },
            )
        if job.cancelled:
            return json_reply(200, prediction(job, "canceled"))
        if not job.poll():
            return json_reply(200, prediction(job, "processing"))
        failed = list(fake.predictions).index(job.id) < fake.failures
        return json_reply(200, prediction(job, "failed" if failed else "succeeded"))

    def cancel(req: RecordedRequest, match: Any) -> Reply:
        job = fake.predictions[match["id"]]
        job.cancelled = True
        return json_reply(200, prediction(job, "canceled"))

    stub.route("POST", r"/v1/models/(?P<model>[^/]+/[^/]+)/predictions", create)
    stub.route("GET", r"/v1/predictions/(?P<id>[^/]+)", get)
    stub.route("POST", r"/v1/predictions/(?P<id>[^/]+)/cancel", cancel)
    return fake


# -- Ideogram (https://developer.ideogram.ai)


def ideogram_image(url: str) -> dict[str, Any]:
    return {
        "created": "2025-01-01T00:00:00Z",
        "data": [
            {
                "url": url,
                "prompt": "a prompt",
                "resolution": "1024x1024",
                "is_image_safe": True,
                "seed": 12345,
                "style_type": "GENERAL",
            }
        ],
    }


IDEOGRAM_IMAGES = "https://ideogram.ai/api/images/ephemeral"


def install_ideogram(stub: ServiceStub, key: str) -> None:
    """Generation endpoints on ``api.ideogram.ai``; the images they point to are served
    under ``ideogram.ai/api/images`` (start the stub for both hosts)."""

    def guarded(name: str) -> Any:
        def handler(req: RecordedRequest, match: Any) -> Reply:
            if req.headers.get("api-key") != key:
                return json_reply(401, {"detail": f"Invalid Api-Key {req.headers.get('api-key', '')}"})
            return json_reply(200, ideogram_image(f"{IDEOGRAM_IMAGES}/{name}.png"))

        return handler

    stub.route("POST", "/v1/ideogram-v3/generate", guarded("v3"))
    stub.route("POST", "/generate", guarded("legacy"))
    stub.route("POST", "/upscale", guarded("upscaled"))
    stub.route(
        "GET", r"/api/images/.*", lambda r, m: (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\nfake")
    )


# -- revid.ai (public API v2)


@dataclass
class RevidFake:
    key: str
    polls: int = 2
    video_url: str = "https://cdn.revid.ai/renders/abc.mp4"
    renders: dict[str, Job] = field(default_factory=_jobs)
    stub: ServiceStub | None = field(default=None, repr=False)  # set by install_*


def install_revid(stub: ServiceStub, fake: RevidFake) -> RevidFake:
    fake.stub = stub

    def denied(req: RecordedRequest) -> Reply | None:
        if req.headers.get("key") == fake.key:
            return None
        return json_reply(401, {"success": 0, "error": f"Invalid API key {req.headers.get('key', '')}"})

    def render(req: RecordedRequest, match: Any) -> Reply:
        if refused := denied(req):
            return refused
        job = Job(id=f"pid{next(_ids)}", polls=fake.polls, result=fake.video_url, body=req.json)
        fake.renders[job.id] = job
        return json_reply(200, {"success": 1, "pid": job.id})

    def status(req: RecordedRequest, match: Any) -> Reply:
        if refused := denied(req):
            return refused
        job = fake.renders[req.query["pid"][0]]
        if not job.poll():
            return json_reply(200, {"status": "rendering" if job.reads > 1 else "queued", "pid": job.id})
        return json_reply(200, {"status": "ready", "pid": job.id, "videoUrl": job.result})

    stub.route("POST", "/api/public/v2/render", render)
    stub.route("GET", "/api/public/v2/status", status)
    return fake


# -- DataForSEO Labs (https://docs.dataforseo.com/v3/dataforseo_labs/)


def _keyword_data(keyword: str, volume: int) -> dict[str, Any]:
    return {
        "se_type": "google",
        "keyword": keyword,
        "location_code": 2840,
        "language_code": "en",
        "keyword_info": {
            "se_type": "google",
            "last_updated_time": "2025-01-01 00:00:00 +00:00",
            "competition": 0.35,
            "competition_level": "MEDIUM",
            "cpc": 4.2,
            "search_volume": volume,
        },
        "keyword_properties": {"se_type": "google", "core_keyword": None, "keyword_difficulty": 41},
        "serp_info": {"se_type": "google", "serp_item_types": ["organic"], "se_results_count": 1000},
        "clickstream_keyword_info": None,
    }


def _labs_reply(endpoint: str, task: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    result = {
        "se_type": "google",
        "seed_keyword": task["keyword"],
        "location_code": task.get("location_code"),
        "language_code": task.get("language_code"),
        "total_count": len(items),
        "items_count": len(items),
        "items": items,
    }
    return {
        "version": "0.1.20250101",
        "status_code": 20000,
        "status_message": "Ok.",
        "time": "0.5 sec.",
        "cost": 0.0101,
        "tasks_count": 1,
        "tasks_error": 0,
        "tasks": [
            {
                "id": f"01010000-{next(_ids):04d}-0000-0000-000000000000",
                "status_code": 20000,
                "status_message": "Ok.",
                "time": "0.4 sec.",
                "cost": 0.0101,
                "result_count": 1,
                "path": ["v3", "dataforseo_labs", "google", endpoint, "live"],
                "data": {"api": "dataforseo_labs", "function": endpoint, "se_type": "google", **task},
                "result": [result],
            }
        ],
    }


def install_dataforseo(stub: ServiceStub, login: str, password: str) -> None:
    expected = "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()

    def guarded(endpoint: str, items: Any) -> Any:
        def handler(req: RecordedRequest, match: Any) -> Reply:
            if req.headers.get("authorization") != expected:
                return json_reply(
                    401,
                    {
                        "version": "0.1.20250101",
                        "status_code": 40100,
                        "status_message": f"You are not authorized to access this resource ({req.headers.get('authorization')}).",
                    },
                )
            (task,) = req.json
            return json_reply(200, _labs_reply(endpoint, task, items(task)))

        return handler

    def related(task: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {"se_type": "google", "keyword_data": _keyword_data(f"{task['keyword']} tips", 2400), "depth": 1},
            {"se_type": "google", "keyword_data": _keyword_data(f"best {task['keyword']}", 880), "depth": 1},
        ]

    def suggestions(task: dict[str, Any]) -> list[dict[str, Any]]:
        return [_keyword_data(f"{task['keyword']} for beginners", 1300)]

    base = "/v3/dataforseo_labs/google"
    stub.route("POST", f"{base}/related_keywords/live", guarded("related_keywords", related))
    stub.route("POST", f"{base}/keyword_suggestions/live", guarded("keyword_suggestions", suggestions))


# -- WordPress.com REST API v1.1


def install_wordpress(stub: ServiceStub, token: str) -> None:
    def create(req: RecordedRequest, match: Any) -> Reply:
        if req.headers.get("authorization") != f"Bearer {token}":
            return json_reply(403, {"error": "unauthorized", "message": "User cannot publish posts"})
        form = {key: values[0] for key, values in req.form.items()}
        slug = form["title"].lower().replace(" ", "-")
        url = f"https://{match['site']}/2025/01/01/{slug}/"
        return json_reply(
            200,
            {
                "ID": 7,
                "site_ID": 123456,
                "author": {"ID": 1, "login": "ada", "name": "Ada", "nice_name": "ada"},
                "date": "2025-01-01T00:00:00+00:00",
                "modified": "2025-01-01T00:00:00+00:00",
                "title": form["title"],
                "URL": url,
                "short_URL": "https://wp.me/p8-7",
                "content": form["content"],
                "excerpt": form.get("excerpt", ""),
                "slug": slug,
                "status": form["status"],
                "sticky": form["sticky"] == "true",
                "type": form["type"],
                "tags": {tag: {"name": tag} for tag in form.get("tags", "").split(",") if tag},
                "categories": {},
                "attachments": {},
                "attachment_count": 0,
            },
        )

    stub.route("POST", r"/rest/v1\.1/sites/(?P<site>[^/]+)/posts/new", create)


# -- Medium API v1


def install_medium(stub: ServiceStub, token: str) -> None:
    def create(req: RecordedRequest, match: Any) -> Reply:
        if req.headers.get("authorization") != f"Bearer {token}":
            return json_reply(401, {"errors": [{"message": "Token was invalid.", "code": 6003}]})
        body = req.json
        return json_reply(
            201,
            {
                "data": {
                    "id": "e6f36a",
                    "title": body["title"],
                    "authorId": match["author"],
                    "tags": body["tags"],
                    "url": "https://medium.com/@ada/e6f36a",
                    "canonicalUrl": body.get("canonicalUrl") or "",
                    "publishStatus": body["publishStatus"],
                    "publishedAt": 1735689600000,
                    "license": body["license"],
                    "licenseUrl": "https://medium.com/policy/9db0094a1e0f",
                }
            },
        )

    stub.route("POST", r"/v1/users/(?P<author>[^/]+)/posts", create)


# -- Airtable Web API


@dataclass
class AirtableFake:
    token: str
    tables: list[dict[str, Any]]
    bases: list[dict[str, Any]] = field(default_factory=list)
    stub: ServiceStub | None = field(default=None, repr=False)  # set by install_*


def install_airtable(stub: ServiceStub, fake: AirtableFake) -> AirtableFake:
    fake.stub = stub

    def denied(req: RecordedRequest) -> Reply | None:
        if req.headers.get("authorization") == f"Bearer {fake.token}":
            return None
        return json_reply(
            401, {"error": {"type": "AUTHENTICATION_REQUIRED", "message": "Authentication required"}}
        )

    def guarded(handler: Any) -> Any:
        return lambda req, match: denied(req) or handler(req, match)

    def create_records(req: RecordedRequest, match: Any) -> Reply:
        records = req.json["records"]
        if len(records) > 10:
            return json_reply(422, {"error": {"type": "INVALID_RECORDS", "message": "Too many records"}})
        created = [
            {"id": f"rec{next(_ids):014d}", "createdTime": "2025-01-01T00:00:00.000Z", "fields": r["fields"]}
            for r in records
        ]
        return json_reply(200, {"records": created})

    def create_base(req: RecordedRequest, match: Any) -> Reply:
        body = req.json
        base = {"id": f"app{next(_ids):014d}", "name": body["name"], "permissionLevel": "create"}
        fake.bases.append(base)
        tables = [
            {
                "id": f"tbl{index}",
                "name": table["name"],
                "primaryFieldId": "fld0",
                "fields": [{"id": f"fld{i}", **f} for i, f in enumerate(table["fields"])],
                "views": [{"id": "viw0", "name": "Grid view", "type": "grid"}],
            }
            for index, table in enumerate(body["tables"])
        ]
        return json_reply(200, {"id": base["id"], "tables": tables})

    stub.route("GET", "/v0/meta/bases", guarded(lambda req, m: json_reply(200, {"bases": fake.bases})))
    stub.route("POST", "/v0/meta/bases", guarded(create_base))
    stub.route(
        "GET",
        r"/v0/meta/bases/[^/]+/tables",
        guarded(lambda req, m: json_reply(200, {"tables": fake.tables})),
    )
    stub.route("POST", r"/v0/(?P<base>app[^/]+)/(?P<table>[^/]+)", guarded(create_records))
    return fake


# -- Firecrawl v2


@dataclass
class FirecrawlFake:
    key: str
    pages: list[dict[str, Any]]
    extract_data: dict[str, Any] = field(default_factory=dict)
    links: list[dict[str, Any]] = field(default_factory=list)
    polls: int = 2
    page_size: int = 0  # > 0: completed results come in pages behind "next"
    fail: bool = False
    jobs: dict[str, Job] = field(default_factory=_jobs)
    stub: ServiceStub | None = field(default=None, repr=False)  # set by install_*


def install_firecrawl(stub: ServiceStub, fake: FirecrawlFake) -> FirecrawlFake:
    fake.stub = stub

    def denied(req: RecordedRequest) -> Reply | None:
        if req.headers.get("authorization") == f"Bearer {fake.key}":
            return None
        return json_reply(
            401,
            {
                "success": False,
                "error": f"Unauthorized: Invalid token {req.headers.get('authorization')}",
            },
        )

    def guarded(handler: Any) -> Any:
        return lambda req, match: denied(req) or handler(req, match)

    def start(kind: str) -> Any:
        def handler(req: RecordedRequest, match: Any) -> Reply:
            job = Job(id=f"{kind}-{next(_ids)}", polls=fake.polls, result=None, body=req.json)
            fake.jobs[job.id] = job
            return json_reply(
                200,
                {
                    "success": True,
                    "id": job.id,
                    "url": f"https://api.firecrawl.dev/v2/{kind}/{job.id}",
                },
            )

        return handler

    def crawl_status(req: RecordedRequest, match: Any) -> Reply:
        job = fake.jobs[match["id"]]
        offset = int(req.query.get("skip", ["0"])[0])
        total = len(fake.pages)
        common = {"total": total, "creditsUsed": total, "expiresAt": "2025-01-02T00:00:00.000Z"}
        if job.cancelled:
            return json_reply(200, {"status": "cancelled", "completed": 0, "data": [], **common})
        if not job.poll():
            return json_reply(200, {"status": "scraping", "completed": 0, "data": [], "next": None, **common})
        if fake.fail:
            return json_reply(
                200, {"status": "failed", "completed": 0, "data": [], "error": "Site blocked the crawler"}
            )
        size = fake.page_size or total
        chunk = fake.pages[offset : offset + size]
        more = offset + size < total
        next_url = f"https://api.firecrawl.dev/v2/crawl/{job.id}?skip={offset + size}" if more else None
        return json_reply(
            200, {"status": "completed", "completed": total, "data": chunk, "next": next_url, **common}
        )

    def cancel(req: RecordedRequest, match: Any) -> Reply:
        fake.jobs[match["id"]].cancelled = True
        return json_reply(200, {"status": "cancelled"})

    def extract_status(req: RecordedRequest, match: Any) -> Reply:
        job = fake.jobs[match["id"]]
        if not job.poll():
            return json_reply(
                200, {"success": True, "status": "processing", "expiresAt": "2025-01-02T00:00:00.000Z"}
            )
        return json_reply(
            200,
            {
                "success": True,
                "data": fake.extract_data,
                "status": "completed",
                "expiresAt": "2025-01-02T00:00:00.000Z",
            },
        )

    stub.route("POST", "/v2/crawl", guarded(start("crawl")))
    stub.route("GET", r"/v2/crawl/(?P<id>[^/]+)", guarded(crawl_status))
    stub.route("DELETE", r"/v2/crawl/(?P<id>[^/]+)", guarded(cancel))
    stub.route("POST", "/v2/extract", guarded(start("extract")))
    stub.route("GET", r"/v2/extract/(?P<id>[^/]+)", guarded(extract_status))
    stub.route(
        "POST", "/v2/map", guarded(lambda req, m: json_reply(200, {"success": True, "links": fake.links}))
    )
    return fake
