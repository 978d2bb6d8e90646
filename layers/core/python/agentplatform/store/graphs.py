"""Graph versions and their per-graph metadata (active version, settings).

Layout, all in the owner's partition:
  ``GRAPH#<gid>``             meta: active_version, latest_version, settings
  ``GRAPHV#<gid>#<version>``  one item per version, body compressed

Which version is active lives only on the meta item, so activating a version is a
single conditional update rather than a rewrite of every version.

A version is one item, so a graph whose compressed body passes ``GRAPH_BODY_MAX_BYTES``
is refused (413) rather than spilled to S3: listing graphs stays one query and one
batch read, and a body that large is ~10,000 nodes, far beyond what a person builds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from agentplatform.errors import NotFoundError, PayloadTooLargeError
from agentplatform.models.graph import GraphModel, GraphSettings
from agentplatform.store import keys
from agentplatform.store.table import Table, check_op, is_condition_failure, pack, put_op, unpack, update_op

# Computed fields are derived on read, never stored.
_COMPUTED = {
    "input_schema",
    "output_schema",
    "credentials_input_schema",
    "has_external_trigger",
    "has_human_in_the_loop",
    "has_sensitive_action",
    "trigger_setup_info",
}


def _not_found(graph_id: str) -> NotFoundError:
    return NotFoundError(f"Graph #{graph_id} not found.")


def _now() -> str:
    return datetime.now(UTC).isoformat()


# DynamoDB's item limit is 400 KB; the rest of a version item is well under 20 KB.
GRAPH_BODY_MAX_BYTES = 380_000


def _version_item(graph: GraphModel) -> dict[str, Any]:
    body = pack(graph.model_dump(mode="json", exclude=_COMPUTED | {"is_active", "settings"}))
    if len(body) > GRAPH_BODY_MAX_BYTES:
        raise PayloadTooLargeError(
            f"Graph is too large to store: {len(body) // 1000} KB compressed, over the limit of "
            f"{GRAPH_BODY_MAX_BYTES // 1000} KB (one DynamoDB item holds at most 400 KB)"
        )
    return {
        "pk": keys.user_pk(graph.user_id),
        "sk": keys.graph_version_sk(graph.id, graph.version),
        "type": "graph_version",
        "graph_id": graph.id,
        "version": graph.version,
        "body": body,
    }


def _to_model(version_item: dict[str, Any], meta: dict[str, Any]) -> GraphModel:
    graph = GraphModel.model_validate(unpack(version_item["body"]))
    graph.is_active = graph.version == meta["active_version"]
    graph.settings = GraphSettings.model_validate(meta.get("settings") or {})
    graph.link_nodes()
    return graph


class GraphRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def _meta(self, user_id: str, graph_id: str) -> dict[str, Any]:
        meta = self.table.get(keys.user_pk(user_id), keys.graph_meta_sk(graph_id))
        if meta is None:
            raise _not_found(graph_id)
        return meta

    def create(self, graph: GraphModel, *, with_ops: Sequence[dict[str, Any]] = ()) -> GraphModel:
        """Store version 1 of a new graph. Fails if the id is already taken.

        ``with_ops`` are written in the same transaction (sub-graphs, library agents)."""
        self.table.transact([*self.creation_ops(graph), *with_ops])
        graph.is_active = True
        return graph

    @staticmethod
    def creation_ops(graph: GraphModel) -> list[dict[str, Any]]:
        """The conditional puts that create ``graph`` (meta + its version)."""
        now = _now()
        meta = {
            "pk": keys.user_pk(graph.user_id),
            "sk": keys.graph_meta_sk(graph.id),
            "type": "graph",
            "graph_id": graph.id,
            "active_version": graph.version,
            "latest_version": graph.version,
            "settings": graph.settings.model_dump(),
            "created_at": now,
            "updated_at": now,
        }
        return [
            put_op(meta, "attribute_not_exists(pk)"),
            put_op(_version_item(graph), "attribute_not_exists(pk)"),
        ]

    def get(self, user_id: str, graph_id: str, version: int | None = None) -> GraphModel:
        meta = self._meta(user_id, graph_id)
        wanted = meta["active_version"] if version is None else version
        item = self.table.get(keys.user_pk(user_id), keys.graph_version_sk(graph_id, wanted))
        if item is None:
            raise _not_found(graph_id)
        return _to_model(item, meta)

    def get_versions(self, user_id: str, refs: Sequence[tuple[str, int]]) -> list[GraphModel]:
        """Given versions of the user's graphs in one batch read (missing ones left out)."""
        pk = keys.user_pk(user_id)
        items = self.table.batch_get([(pk, keys.graph_version_sk(gid, version)) for gid, version in refs])
        return [_to_model(item, {"active_version": None}) for item in items]

    def list_versions(self, user_id: str, graph_id: str) -> list[GraphModel]:
        meta = self._meta(user_id, graph_id)
        items = self.table.query(keys.user_pk(user_id), prefix=keys.graph_versions_prefix(graph_id))
        return [_to_model(item, meta) for item in items]

    def list_active(self, user_id: str, limit: int = 250) -> list[GraphModel]:
        """The active version of each of the user's graphs, newest first."""
        metas = list(self.table.query(keys.user_pk(user_id), prefix=keys.GRAPH_META_PREFIX))
        metas.sort(key=lambda m: m.get("updated_at", ""), reverse=True)
        metas = metas[:limit]
        by_id = {m["graph_id"]: m for m in metas}
        wanted = [
            (keys.user_pk(user_id), keys.graph_version_sk(m["graph_id"], m["active_version"])) for m in metas
        ]
        versions = {item["graph_id"]: item for item in self.table.batch_get(wanted)}
        return [_to_model(versions[gid], by_id[gid]) for gid in by_id if gid in versions]

    def add_version(self, graph: GraphModel) -> GraphModel:
        """Store ``graph`` as version latest+1; optionally make it the active one."""
        meta = self._meta(graph.user_id, graph.id)
        previous = int(meta["latest_version"])
        graph.version = previous + 1
        for node in graph.nodes:
            node.graph_version = graph.version
        update = "SET latest_version = :new, updated_at = :now"
        if graph.is_active:
            update += ", active_version = :new"
        try:
            self.table.transact(
                [
                    update_op(
                        keys.user_pk(graph.user_id),
                        keys.graph_meta_sk(graph.id),
                        update,
                        "latest_version = :old",
                        values={":new": graph.version, ":old": previous, ":now": _now()},
                    ),
                    put_op(_version_item(graph), "attribute_not_exists(pk)"),
                ]
            )
        except Exception as exc:
            if is_condition_failure(exc):  # a concurrent update won the version number
                raise ValueError("Graph was updated concurrently; retry the update") from exc
            raise
        graph.settings = GraphSettings.model_validate(meta.get("settings") or {})
        return graph

    def set_active_version(self, user_id: str, graph_id: str, version: int) -> None:
        try:
            self.table.transact(
                [
                    check_op(
                        keys.user_pk(user_id),
                        keys.graph_version_sk(graph_id, version),
                        "attribute_exists(pk)",
                    ),
                    update_op(
                        keys.user_pk(user_id),
                        keys.graph_meta_sk(graph_id),
                        "SET active_version = :v, updated_at = :now",
                        "attribute_exists(pk)",
                        values={":v": version, ":now": _now()},
                    ),
                ]
            )
        except Exception as exc:
            if is_condition_failure(exc):
                raise _not_found(graph_id) from exc
            raise

    def update_settings(self, user_id: str, graph_id: str, settings: GraphSettings) -> GraphSettings:
        try:
            item = self.table.update(
                keys.user_pk(user_id),
                keys.graph_meta_sk(graph_id),
                "SET settings = :s, updated_at = :now",
                condition="attribute_exists(pk)",
                values={":s": settings.model_dump(), ":now": _now()},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                raise _not_found(graph_id) from exc
            raise
        return GraphSettings.model_validate(item["settings"])

    def delete(self, user_id: str, graph_id: str) -> int:
        """Delete every version; returns how many there were."""
        pk = keys.user_pk(user_id)
        try:  # the meta goes first, so the graph disappears at once for readers
            self.table.delete(pk, keys.graph_meta_sk(graph_id), condition="attribute_exists(pk)")
        except Exception as exc:
            if is_condition_failure(exc):
                raise _not_found(graph_id) from exc
            raise
        versions = [
            (pk, item["sk"])
            for item in self.table.query(pk, prefix=keys.graph_versions_prefix(graph_id), keys_only=True)
        ]
        self.table.batch_delete(versions)
        return len(versions)
