"""Store search: our own time for a search at 1,000 and 10,000 listings, cold and warm.

    .venv/bin/python bench/store_search.py

"Our own time" is the CPU the store Lambda spends on ``ListingService.agents(search_query=...)``
besides waiting for DynamoDB and S3: botocore building requests and parsing responses,
opening the index, searching, building the page. To measure exactly that, AWS's
answers are replayed: botocore ``before-send`` hooks answer GetItem (the index state),
S3 GetObject (the published snapshot), Query (every listing) and BatchGetItem (the
page's listings) with bodies encoded ahead of time, in AWS's wire format.

Printed per size, median CPU time (and wall time) in ms:
- baseline: the naive design, building the index from one Query of every listing in
  the request (what a cold Lambda would do without a published snapshot);
- cold search: this process holds no index: read the index state, download and open
  the snapshot, search, read the page (a cold Lambda's first search);
- warm search: the index is held (every later search);
- publish: building and packing the snapshot (what a review decision pays, once).
Target: cold search under 50 ms at 10,000 listings.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import RawBody, wire_item

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "TABLE_NAME": "bench",
        "BUCKET_NAME": "bench-values",
    }
)

SIZES = (1000, 10000)
SAMPLES = 15
TARGET_MS = 50.0
QUERY = "summarize customer emails"
_WORDS = [
    "email",
    "summary",
    "inbox",
    "customer",
    "support",
    "ticket",
    "reply",
    "draft",
    "research",
    "report",
    "market",
    "news",
    "digest",
    "image",
    "video",
    "caption",
    "social",
    "post",
    "schedule",
    "calendar",
    "meeting",
    "notes",
    "transcript",
    "translate",
    "language",
    "code",
    "review",
    "github",
    "issue",
    "bug",
    "test",
    "data",
    "table",
    "spreadsheet",
    "chart",
    "sales",
    "lead",
    "crm",
    "outreach",
    "invoice",
    "finance",
    "budget",
    "travel",
    "recipe",
    "fitness",
    "learning",
    "quiz",
    "story",
    "poem",
    "seo",
    "blog",
    "article",
    "product",
    "launch",
]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def listings(count: int) -> list[dict[str, Any]]:
    """``count`` public listings as the store keeps them (active version, aggregates)."""
    rng = random.Random(count)
    result = []
    for index in range(count):
        at = f"2025-01-01T00:00:{index % 60:02d}.{index:06d}+00:00"
        name = _text(rng, 3).title()
        result.append(
            {
                "id": f"00000000-0000-4000-8000-{index:012d}",
                "owner_user_id": f"user-{index % 500}",
                "graph_id": f"graph-{index}",
                "slug": f"agent-{index}",
                "created_at": at,
                "updated_at": at,
                "is_deleted": False,
                "featured": index % 50 == 0,
                "creator": {
                    "id": f"p-{index % 500}",
                    "username": f"creator{index % 500}",
                    "name": "C",
                    "avatar_url": "",
                },
                "versions": [
                    {
                        "id": f"v-{index}",
                        "version": 1,
                        "graph_version": 1,
                        "name": name,
                        "status": "APPROVED",
                        "submitted_at": at,
                        "reviewed_at": at,
                        "changes_summary": "Initial Submission",
                    }
                ],
                "active_version_id": f"v-{index}",
                "active": {
                    "name": name,
                    "sub_heading": _text(rng, 8),
                    "description": _text(rng, 60),
                    "instructions": None,
                    "categories": [rng.choice(_WORDS)],
                    "image_urls": ["https://x/i.png"],
                    "video_url": None,
                    "agent_output_demo_url": None,
                    "recommended_schedule_cron": None,
                    "graph_version": 1,
                },
                "rev": 1,
                "runs": rng.randint(0, 5000),
                "rating_sum": rng.randint(0, 50),
                "rating_count": rng.randint(0, 10),
            }
        )
    return result


def profiles() -> list[dict[str, Any]]:
    return [
        {
            "user_id": f"user-{i}",
            "id": f"p-{i}",
            "name": f"Creator {i}",
            "username": f"creator{i}",
            "description": "builds agents",
            "links": [],
            "avatar_url": "",
            "is_featured": False,
        }
        for i in range(500)
    ]


class Replay:
    """Answers this process's DynamoDB and S3 requests as AWS would, without leaving it."""

    def __init__(self, items: list[dict[str, Any]], people: list[dict[str, Any]], snapshot: bytes, key: str):
        from agentplatform.store.marketplace import MarketplaceRepository

        stored = [
            {
                **MarketplaceRepository._listing_item(i),
                "runs": i["runs"],
                "rating_sum": i["rating_sum"],
                "rating_count": i["rating_count"],
            }
            for i in items
        ]
        wire = [wire_item(item) for item in stored]
        self.by_pk = {item["pk"]["S"]: item for item in wire}
        projected = [
            {k: item[k] for k in ("doc", "rev", "runs", "rating_sum", "rating_count")} for item in wire
        ]
        self.listings_query = json.dumps({"Items": projected, "Count": len(projected)}).encode()
        docs = [wire_item({"doc": json.dumps(p)}) for p in people]
        self.profiles_query = json.dumps({"Items": docs, "Count": len(docs)}).encode()
        state = {
            "pk": "STOREINDEX",
            "sk": "META",
            "seq": 1,
            "published_seq": 1,
            "snapshot_key": key,
            "published_at": "2999-01-01T00:00:00+00:00",
        }
        self.state = json.dumps({"Item": wire_item(state)}).encode()
        self.snapshot = snapshot
        self.batches: dict[tuple[str, ...], bytes] = {}

    def answer(self, request: Any, event_name: str, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        headers = {"content-type": "application/x-amz-json-1.0"}
        if event_name.endswith("GetObject"):
            headers = {"content-type": "application/x-tar", "content-length": str(len(self.snapshot))}
            return AWSResponse(request.url, 200, headers, RawBody(self.snapshot))
        payload = json.loads(request.body)
        if event_name.endswith(".GetItem"):
            body = self.state
        elif event_name.endswith(".Query"):
            pk = payload["ExpressionAttributeValues"][":pk"]["S"]
            body = self.listings_query if pk == "STORELISTINGS" else self.profiles_query
        else:
            body = self._batch(payload)
        return AWSResponse(request.url, 200, headers, RawBody(body))

    def _batch(self, payload: dict[str, Any]) -> bytes:
        [(table, wanted)] = payload["RequestItems"].items()
        pks = tuple(key["pk"]["S"] for key in wanted["Keys"])
        if pks not in self.batches:
            found = [self.by_pk[pk] for pk in pks if pk in self.by_pk]
            self.batches[pks] = json.dumps({"Responses": {table: found}, "UnprocessedKeys": {}}).encode()
        return self.batches[pks]

    def install(self) -> None:
        from agentplatform.aws import client

        for service, operations in (
            ("dynamodb", ("GetItem", "Query", "BatchGetItem")),
            ("s3", ("GetObject",)),
        ):
            events = client(service).meta.events
            for operation in operations:
                event = f"before-send.{service}.{operation}"
                events.unregister(event, unique_id=f"bench-{operation}")
                events.register(event, self.answer, unique_id=f"bench-{operation}")


def median_ms(call: Callable[[], Any], before: Callable[[], Any] = lambda: None) -> tuple[float, float]:
    call()
    cpu, wall = [], []
    for _ in range(SAMPLES):
        before()
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        call()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start_wall) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def main() -> int:
    from agentplatform.marketplace import index
    from agentplatform.marketplace.listings import ListingService
    from agentplatform.marketplace.search import SearchIndex
    from agentplatform.marketplace.views import index_docs
    from agentplatform.store.marketplace import MarketplaceRepository

    service = ListingService()
    people = profiles()
    print(f"store search, query {QUERY!r}: median of {SAMPLES}, CPU ms (wall ms)")
    verdict = 0
    for size in SIZES:
        items = listings(size)
        start = time.perf_counter()
        snapshot = SearchIndex.snapshot(index_docs(items, people))
        publish_ms = (time.perf_counter() - start) * 1000
        Replay(items, people, snapshot, "store-index/000000000001-bench.tar").install()

        def search() -> Any:
            page = service.agents(search_query=QUERY, page=1, page_size=20)
            assert page.agents, "no results"
            return page

        def rebuild() -> Any:  # the naive design: build from one query in the request
            repo = MarketplaceRepository()
            built = SearchIndex.build(index_docs(repo.all_listings(), repo.list_profiles()))
            return built.search("agent", text=QUERY, limit=20)

        baseline = median_ms(rebuild)
        cold = median_ms(search, before=index.forget)
        warm = median_ms(search)
        print(
            f"{size:>6} listings  baseline {baseline[0]:7.1f} ({baseline[1]:7.1f})  "
            f"cold search {cold[0]:6.1f} ({cold[1]:6.1f})  warm search {warm[0]:5.1f} ({warm[1]:5.1f})  "
            f"publish {publish_ms:7.1f} wall, snapshot {len(snapshot) // 1024} KB"
        )
        if size == max(SIZES) and cold[0] >= TARGET_MS:
            verdict = 1
    print(
        f"target: cold search under {TARGET_MS:.0f} ms of CPU at {max(SIZES):,} listings: "
        f"{'met' if verdict == 0 else 'NOT met'}"
    )
    return verdict


if __name__ == "__main__":
    sys.exit(main())
