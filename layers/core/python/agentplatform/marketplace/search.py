"""Full-text search over what the store shows: a tantivy (BM25) index.

One index holds documents of three kinds (``agent``, ``creator``, ``block``). Text
fields are stemmed English; a query matches name, sub-heading, description and
categories, with the name weighted highest. Filters (creator, category, featured) are
exact terms, and each listing order the store offers is a precomputed rank (a fast
field), so a filtered, sorted page is one tantivy search too.

Why tantivy, and how the index reaches a cold Lambda: ``docs/adr/0013-store-search.md``.
"""

from __future__ import annotations

import io
import re
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TEXT_FIELDS = ("name", "sub_heading", "description", "categories")
FIELD_BOOSTS = {"name": 4.0, "sub_heading": 2.0, "categories": 1.5, "description": 1.0}
# Orders a page can ask for; each is a rank fast field (0 = first).
ORDERS = ("runs", "rating", "name", "updated_at", "agent_rating", "agent_runs", "num_agents", "username")
_WRITER_HEAP = 15_000_000  # tantivy's minimum per thread
_QUERY_SYNTAX = re.compile(r"[^\w\s]+")


@dataclass
class IndexDoc:
    """One searchable thing: an agent listing, a creator or a block."""

    kind: str
    id: str
    name: str
    sub_heading: str = ""
    description: str = ""
    categories: Sequence[str] = ()
    creator: str = ""
    featured: bool = False
    tags: Sequence[str] = ()  # exact-match labels to filter on (e.g. a block's "integration")
    ranks: dict[str, int] = field(default_factory=dict)
    data: bytes = b""  # returned with each hit (what a page shows without another read)


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    data: bytes = b""


def _schema() -> Any:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("kind", tokenizer_name="raw", index_option="basic")
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name="en_stem")
    builder.add_text_field("creator", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("category", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("tag", tokenizer_name="raw", index_option="basic")
    builder.add_boolean_field("featured", indexed=True)
    builder.add_bytes_field("data", stored=True, indexed=False)
    for order in ORDERS:
        builder.add_integer_field(f"rank_{order}", fast=True)
    return builder.build()


def ranks(docs: Sequence[Any], orders: dict[str, Any]) -> list[dict[str, int]]:
    """Each doc's position under each order; ``orders`` maps a name to a sort key."""
    result: list[dict[str, int]] = [{} for _ in docs]
    for name, key in orders.items():
        for position, index in enumerate(sorted(range(len(docs)), key=lambda i: key(docs[i]))):
            result[index][name] = position
    return result


def plain_query(text: str) -> str:
    """User text as words only: the query language's operators are not for end users."""
    return _QUERY_SYNTAX.sub(" ", text).strip().lower()  # lowercase: no AND/OR/NOT operators


class SearchIndex:
    def __init__(self, index: Any, path: Path | None = None):
        self._index = index
        self._schema = index.schema
        self.path = path

    # -- building and moving

    @classmethod
    def build(cls, docs: Iterable[IndexDoc], path: Path | None = None) -> SearchIndex:
        """An index of ``docs``, in memory or (``path``) in a directory to snapshot."""
        import tantivy

        index = tantivy.Index(_schema(), path=str(path) if path else None)
        writer = index.writer(heap_size=_WRITER_HEAP, num_threads=1)
        for doc in docs:
            writer.add_document(cls._document(doc))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        return cls(index, path)

    @staticmethod
    def _document(doc: IndexDoc) -> Any:
        import tantivy

        fields: dict[str, Any] = {
            "id": doc.id,
            "kind": doc.kind,
            "name": doc.name,
            "sub_heading": doc.sub_heading,
            "description": doc.description,
            "categories": " ".join(doc.categories),
            "creator": doc.creator.lower(),
            "category": [category.lower() for category in doc.categories] or [""],
            "featured": doc.featured,
            "tag": list(doc.tags) or [""],
            "data": doc.data,
        }
        for order in ORDERS:
            fields[f"rank_{order}"] = doc.ranks.get(order, 0)
        return tantivy.Document(**fields)

    @classmethod
    def snapshot(cls, docs: Iterable[IndexDoc]) -> bytes:
        """The index of ``docs`` as a tar of its directory (what readers download)."""
        with tempfile.TemporaryDirectory(prefix="store-index-") as tmp:
            cls.build(docs, Path(tmp))
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w") as tar:
                for file in sorted(Path(tmp).iterdir()):
                    tar.add(file, arcname=file.name)
            return buffer.getvalue()

    @classmethod
    def open_snapshot(cls, snapshot: bytes, directory: Path) -> SearchIndex:
        """Unpack a snapshot into ``directory`` and open it (no re-indexing)."""
        import tantivy

        directory.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(snapshot)) as tar:
            tar.extractall(directory, filter="data")
        return cls(tantivy.Index.open(str(directory)), directory)

    @property
    def num_docs(self) -> int:
        return int(self._index.searcher().num_docs)

    # -- searching

    def search(
        self,
        kind: str,
        *,
        text: str | None = None,
        creators: Sequence[str] = (),
        category: str | None = None,
        featured: bool = False,
        tag: str | None = None,
        order: str | None = None,
        offset: int = 0,
        limit: int = 20,
    ) -> tuple[list[Hit], int]:
        """One page of ``kind`` documents and how many match in all.

        With ``text``, documents that match it ranked by BM25 (``order`` ignored, as
        upstream); otherwise every document of the kind in ``order``.
        """
        import tantivy

        must = [self._term("kind", kind)]
        if creators:
            must.append(
                tantivy.Query.boolean_query(
                    [(tantivy.Occur.Should, self._term("creator", c.lower())) for c in creators]
                )
            )
        if category:
            must.append(self._term("category", category.lower()))
        if featured:
            must.append(tantivy.Query.term_query(self._schema, "featured", True))
        if tag:
            must.append(self._term("tag", tag))
        words = plain_query(text or "")
        if text is not None:
            if not words:
                return [], 0
            query, _errors = self._index.parse_query_lenient(
                words, list(TEXT_FIELDS), field_boosts=FIELD_BOOSTS
            )
            must.append(query)
            order = None
        combined = tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in must])
        searcher = self._index.searcher()
        if order:
            result = searcher.search(
                combined,
                limit=max(limit, 1),
                count=True,
                offset=offset,
                order_by_field=f"rank_{order}",
                order=tantivy.Order.Asc,
            )
        else:
            result = searcher.search(combined, limit=max(limit, 1), count=True, offset=offset)
        hits = []
        for key, address in result.hits[:limit]:
            stored = searcher.doc(address)
            data = stored.get_first("data") or b""
            hits.append(Hit(id=stored.get_first("id"), score=0.0 if order else float(key), data=bytes(data)))
        return hits, int(result.count or 0)

    def _term(self, name: str, value: str) -> Any:
        import tantivy

        return tantivy.Query.term_query(self._schema, name, value)
