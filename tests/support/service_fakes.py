"""The wire formats of the services the part-B blocks call, scripted on a ``ServiceStub``.

Each ``install_*`` function routes one service's endpoints, checks its authentication
the way the service does (a wrong key gets the service's own error reply, which here
echoes the key back so tests can prove it is scrubbed) and models asynchronous jobs as
the service runs them: created, then in progress for a few polls, then finished.
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from typing import Any

from tests.support.service_stub import ServiceStub, StubRequest

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

    def unauthorized(req: StubRequest) -> tuple[Any, ...] | None:
        if req.headers.get("authorization") == f"Bearer {fake.token}":
            return None
        detail = f"Invalid token: {req.headers.get('authorization', '')}"
        return 401, {"type": "about:blank", "title": "Unauthenticated", "status": 401, "detail": detail}

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

    def create(req: StubRequest, match: Any) -> tuple[Any, ...]:
        if denied := unauthorized(req):
            return denied
        job = Job(id=f"pred{next(_ids)}", polls=fake.polls, result=fake.output)
        job.body = {"model": match["model"], "input": req.json["input"]}
        fake.predictions[job.id] = job
        return 201, prediction(job, "starting")

    def get(req: StubRequest, match: Any) -> tuple[Any, ...]:
        if denied := unauthorized(req):
            return denied
        job = fake.predictions.get(match["id"])
        if job is None:
            return 404, {
                "title": "Not found",
                "detail": "The requested resource could not be found.",
                "status": 404,
            }
        if job.cancelled:
            return 200, prediction(job, "canceled")
        if not job.poll():
            return 200, prediction(job, "processing")
        failed = list(fake.predictions).index(job.id) < fake.failures
        return 200, prediction(job, "failed" if failed else "succeeded")

    def cancel(req: StubRequest, match: Any) -> tuple[Any, ...]:
        job = fake.predictions[match["id"]]
        job.cancelled = True
        return 200, prediction(job, "canceled")

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
        def handler(req: StubRequest, match: Any) -> tuple[Any, ...]:
            if req.headers.get("api-key") != key:
                return 401, {"detail": f"Invalid Api-Key {req.headers.get('api-key', '')}"}
            return 200, ideogram_image(f"{IDEOGRAM_IMAGES}/{name}.png")

        return handler

    stub.route("POST", "/v1/ideogram-v3/generate", guarded("v3"))
    stub.route("POST", "/generate", guarded("legacy"))
    stub.route("POST", "/upscale", guarded("upscaled"))
    stub.route(
        "GET", r"/api/images/.*", lambda r, m: (200, b"\x89PNG\r\n\x1a\nfake", {"Content-Type": "image/png"})
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

    def denied(req: StubRequest) -> tuple[Any, ...] | None:
        if req.headers.get("key") == fake.key:
            return None
        return 401, {"success": 0, "error": f"Invalid API key {req.headers.get('key', '')}"}

    def render(req: StubRequest, match: Any) -> tuple[Any, ...]:
        if refused := denied(req):
            return refused
        job = Job(id=f"pid{next(_ids)}", polls=fake.polls, result=fake.video_url, body=req.json)
        fake.renders[job.id] = job
        return 200, {"success": 1, "pid": job.id}

    def status(req: StubRequest, match: Any) -> tuple[Any, ...]:
        if refused := denied(req):
            return refused
        job = fake.renders[req.query["pid"][0]]
        if not job.poll():
            return 200, {"status": "rendering" if job.reads > 1 else "queued", "pid": job.id}
        return 200, {"status": "ready", "pid": job.id, "videoUrl": job.result}

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
        def handler(req: StubRequest, match: Any) -> tuple[Any, ...]:
            if req.headers.get("authorization") != expected:
                return 401, {
                    "version": "0.1.20250101",
                    "status_code": 40100,
                    "status_message": f"You are not authorized to access this resource ({req.headers.get('authorization')}).",
                }
            (task,) = req.json
            return 200, _labs_reply(endpoint, task, items(task))

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
    def create(req: StubRequest, match: Any) -> tuple[Any, ...]:
        if req.headers.get("authorization") != f"Bearer {token}":
            return 403, {"error": "unauthorized", "message": "User cannot publish posts"}
        form = {key: values[0] for key, values in req.form.items()}
        slug = form["title"].lower().replace(" ", "-")
        url = f"https://{match['site']}/2025/01/01/{slug}/"
        return 200, {
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
        }

    stub.route("POST", r"/rest/v1\.1/sites/(?P<site>[^/]+)/posts/new", create)


# -- Medium API v1


def install_medium(stub: ServiceStub, token: str) -> None:
    def create(req: StubRequest, match: Any) -> tuple[Any, ...]:
        if req.headers.get("authorization") != f"Bearer {token}":
            return 401, {"errors": [{"message": "Token was invalid.", "code": 6003}]}
        body = req.json
        return 201, {
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
        }

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

    def denied(req: StubRequest) -> tuple[Any, ...] | None:
        if req.headers.get("authorization") == f"Bearer {fake.token}":
            return None
        return 401, {"error": {"type": "AUTHENTICATION_REQUIRED", "message": "Authentication required"}}

    def guarded(handler: Any) -> Any:
        return lambda req, match: denied(req) or handler(req, match)

    def create_records(req: StubRequest, match: Any) -> tuple[Any, ...]:
        records = req.json["records"]
        if len(records) > 10:
            return 422, {"error": {"type": "INVALID_RECORDS", "message": "Too many records"}}
        created = [
            {"id": f"rec{next(_ids):014d}", "createdTime": "2025-01-01T00:00:00.000Z", "fields": r["fields"]}
            for r in records
        ]
        return 200, {"records": created}

    def create_base(req: StubRequest, match: Any) -> tuple[Any, ...]:
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
        return 200, {"id": base["id"], "tables": tables}

    stub.route("GET", "/v0/meta/bases", guarded(lambda req, m: (200, {"bases": fake.bases})))
    stub.route("POST", "/v0/meta/bases", guarded(create_base))
    stub.route("GET", r"/v0/meta/bases/[^/]+/tables", guarded(lambda req, m: (200, {"tables": fake.tables})))
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

    def denied(req: StubRequest) -> tuple[Any, ...] | None:
        if req.headers.get("authorization") == f"Bearer {fake.key}":
            return None
        return 401, {
            "success": False,
            "error": f"Unauthorized: Invalid token {req.headers.get('authorization')}",
        }

    def guarded(handler: Any) -> Any:
        return lambda req, match: denied(req) or handler(req, match)

    def start(kind: str) -> Any:
        def handler(req: StubRequest, match: Any) -> tuple[Any, ...]:
            job = Job(id=f"{kind}-{next(_ids)}", polls=fake.polls, result=None, body=req.json)
            fake.jobs[job.id] = job
            return 200, {
                "success": True,
                "id": job.id,
                "url": f"https://api.firecrawl.dev/v2/{kind}/{job.id}",
            }

        return handler

    def crawl_status(req: StubRequest, match: Any) -> tuple[Any, ...]:
        job = fake.jobs[match["id"]]
        offset = int(req.query.get("skip", ["0"])[0])
        total = len(fake.pages)
        common = {"total": total, "creditsUsed": total, "expiresAt": "2025-01-02T00:00:00.000Z"}
        if job.cancelled:
            return 200, {"status": "cancelled", "completed": 0, "data": [], **common}
        if not job.poll():
            return 200, {"status": "scraping", "completed": 0, "data": [], "next": None, **common}
        if fake.fail:
            return 200, {"status": "failed", "completed": 0, "data": [], "error": "Site blocked the crawler"}
        size = fake.page_size or total
        chunk = fake.pages[offset : offset + size]
        more = offset + size < total
        next_url = f"https://api.firecrawl.dev/v2/crawl/{job.id}?skip={offset + size}" if more else None
        return 200, {"status": "completed", "completed": total, "data": chunk, "next": next_url, **common}

    def cancel(req: StubRequest, match: Any) -> tuple[Any, ...]:
        fake.jobs[match["id"]].cancelled = True
        return 200, {"status": "cancelled"}

    def extract_status(req: StubRequest, match: Any) -> tuple[Any, ...]:
        job = fake.jobs[match["id"]]
        if not job.poll():
            return 200, {"success": True, "status": "processing", "expiresAt": "2025-01-02T00:00:00.000Z"}
        return 200, {
            "success": True,
            "data": fake.extract_data,
            "status": "completed",
            "expiresAt": "2025-01-02T00:00:00.000Z",
        }

    stub.route("POST", "/v2/crawl", guarded(start("crawl")))
    stub.route("GET", r"/v2/crawl/(?P<id>[^/]+)", guarded(crawl_status))
    stub.route("DELETE", r"/v2/crawl/(?P<id>[^/]+)", guarded(cancel))
    stub.route("POST", "/v2/extract", guarded(start("extract")))
    stub.route("GET", r"/v2/extract/(?P<id>[^/]+)", guarded(extract_status))
    stub.route("POST", "/v2/map", guarded(lambda req, m: (200, {"success": True, "links": fake.links})))
    return fake
