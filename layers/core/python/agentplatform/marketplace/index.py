"""The store's search index: published as a snapshot, opened by every Lambda that searches.

Building the index of 10,000 listings takes about a second; opening a snapshot of it
takes milliseconds. So the index is built when what the store lists changes and read
as a file everywhere else:

- A write that changes what the store shows (a review decision, a deleted listing, a
  creator's profile) calls ``changed()``: it takes the next sequence number (an atomic
  counter on ``STOREINDEX | META``), builds the index from one query of listings and
  one of profiles, uploads the snapshot to S3 and records it for that sequence.
- A reader (``current()``) reads that item (one GetItem) and uses the index it has in
  memory for the recorded snapshot, else downloads and opens the snapshot. Should the
  newest change have no snapshot (its writer died) or the snapshot be older than
  ``STORE_INDEX_MAX_AGE_SECONDS`` (runs and ratings order the listings), one reader
  claims the rebuild; the others keep the snapshot they have.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agentplatform.config import get_settings
from agentplatform.marketplace.search import SearchIndex
from agentplatform.store import keys
from agentplatform.store.marketplace import MarketplaceRepository

logger = logging.getLogger(__name__)

_REFRESH_CLAIM = timedelta(seconds=60)
_lock = threading.Lock()
_loaded: tuple[str, SearchIndex] | None = None  # (snapshot key, index)


def _repo() -> MarketplaceRepository:
    return MarketplaceRepository()


def _s3() -> Any:
    from agentplatform.aws import client

    return client("s3")


def build_snapshot(repo: MarketplaceRepository) -> bytes:
    """The index of every public listing and every creator, as a snapshot."""
    from agentplatform.marketplace.views import index_docs

    return SearchIndex.snapshot(index_docs(repo.all_listings(), repo.list_profiles()))


def _publish(repo: MarketplaceRepository, seq: int) -> tuple[str, bytes]:
    snapshot = build_snapshot(repo)
    key = keys.store_index_key(seq, uuid.uuid4().hex[:12])
    _s3().put_object(Bucket=get_settings().bucket_name, Key=key, Body=snapshot)
    if not repo.publish_index(seq, key):
        logger.info("store index %s superseded before it was recorded", seq)
    return key, snapshot


def changed(repo: MarketplaceRepository | None = None) -> None:
    """What the store lists changed: publish an index that includes the change."""
    repo = repo or _repo()
    _open(*_publish(repo, repo.next_index_seq()))  # this Lambda's next search needs no download


def _stale(state: dict[str, Any]) -> bool:
    if state.get("published_seq") is None or int(state["published_seq"]) < int(state.get("seq", 0)):
        return True
    published = datetime.fromisoformat(state["published_at"])
    return datetime.now(UTC) - published > timedelta(seconds=get_settings().store_index_max_age_seconds)


def current(repo: MarketplaceRepository | None = None) -> SearchIndex:
    """The newest published index (rebuilt first when stale, by one reader)."""
    repo = repo or _repo()
    state = repo.index_state()
    if _stale(state):
        until = (datetime.now(UTC) + _REFRESH_CLAIM).isoformat()
        if repo.claim_index_refresh(until) or "snapshot_key" not in state:
            key, snapshot = _publish(repo, int(state.get("seq", 0)))
            return _open(key, snapshot)
    key = state["snapshot_key"]
    with _lock:
        if _loaded is not None and _loaded[0] == key:
            return _loaded[1]
    try:
        body = _s3().get_object(Bucket=get_settings().bucket_name, Key=key)["Body"].read()
    except Exception as exc:
        if getattr(exc, "response", {}).get("Error", {}).get("Code") not in ("NoSuchKey", "404"):
            raise
        key, body = _publish(repo, int(state.get("seq", 0)))  # expired while no one searched
    return _open(key, body)


def _open(key: str, snapshot: bytes) -> SearchIndex:
    global _loaded
    directory = Path(tempfile.gettempdir()) / "store-index" / Path(key).stem
    shutil.rmtree(directory, ignore_errors=True)
    index = SearchIndex.open_snapshot(snapshot, directory)
    with _lock:
        previous, _loaded = _loaded, (key, index)
    if previous is not None and previous[1].path is not None and previous[1].path != directory:
        shutil.rmtree(previous[1].path, ignore_errors=True)  # /tmp is small: keep one index
    return index


def forget() -> None:
    """Drop the index this process holds (tests start each with a fresh cloud)."""
    global _loaded
    with _lock:
        _loaded = None


def metrics() -> str:
    """This Lambda's search index, in Prometheus text format (``/api/store/metrics/cache``)."""
    with _lock:
        loaded = _loaded
    documents = loaded[1].num_docs if loaded is not None else 0
    return "\n".join(
        [
            "# HELP store_search_index_loaded Whether this Lambda holds the store's search index",
            "# TYPE store_search_index_loaded gauge",
            f"store_search_index_loaded {1 if loaded is not None else 0}",
            "# HELP store_search_index_documents Documents (agents and creators) in the held index",
            "# TYPE store_search_index_documents gauge",
            f"store_search_index_documents {documents}",
        ]
    )
