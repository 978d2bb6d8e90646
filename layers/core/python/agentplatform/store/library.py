"""A user's library: its agents and run presets (layout: docs/data-model.md).

Both live in the user's partition:
  ``LIBAGENT#<id>``  a library agent: ``doc`` (JSON: the graph version it runs and who
                     owns that graph, name and description, the user's flags and
                     settings), ``graph`` (the version's display fields, compressed),
                     ``rev`` (optimistic lock on ``doc``) and the run aggregates
                     (``active_runs``, ``last_run_*``), which run status writes update
                     in place
  ``PRESET#<id>``    a preset: a graph version with inputs and credentials

Everything a ``LibraryAgent`` shows is on its item. A list page reads only the ``doc``
of every agent (one Query: one small attribute to parse per agent, which is what keeps
a 1,000-agent library fast), then the page's agents whole (one BatchGetItem).
Repository methods take and return agents as flat dicts (``doc`` unfolded).

Agent ids are derived, not random: an agent following a graph the user owns is keyed by
(user, graph); one added from a marketplace listing is pinned to a version, keyed by
(user, graph, version). Graph hooks, run status writes and the run permission check
address the item directly, without a lookup.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from agentplatform.errors import NotFoundError
from agentplatform.store import keys
from agentplatform.store.table import Table, is_condition_failure, pack, put_op, unpack

if TYPE_CHECKING:
    from agentplatform.models.graph import GraphModel

logger = logging.getLogger(__name__)

_AGENT_NAMESPACE = uuid.UUID("5b7f5d0e-2a0b-4f4c-9a57-0c7f1d1c6b21")
AGENT_TYPE = "library_agent"
PRESET_TYPE = "library_preset"
_TERMINAL = frozenset({"COMPLETED", "FAILED", "TERMINATED"})
# Agent attributes stored as themselves; everything else is folded into ``doc``.
_NATIVE = (
    "pk",
    "sk",
    "type",
    "rev",
    "graph",
    "active_runs",
    "last_run_status",
    "last_run_ended_at",
    "last_completed_at",
)
_DOC_UPDATE_ATTEMPTS = 3


def now() -> str:
    return datetime.now(UTC).isoformat()


def library_agent_id(user_id: str, graph_id: str, graph_version: int | None = None) -> str:
    """The id of ``user_id``'s agent for a graph they own (no version: it follows the
    active one), or for a marketplace graph version they added (pinned)."""
    name = f"{user_id}/{graph_id}" if graph_version is None else f"{user_id}/{graph_id}/{graph_version}"
    return str(uuid.uuid5(_AGENT_NAMESPACE, name))


def run_library_agent_id(run: dict[str, Any]) -> str:
    """The agent a run counts towards: the runner's own, or their marketplace copy."""
    owner = run.get("graph_owner_id")
    if owner and owner != run["user_id"]:
        return library_agent_id(run["user_id"], run["graph_id"], int(run["graph_version"]))
    return library_agent_id(run["user_id"], run["graph_id"])


def graph_snapshot(graph: GraphModel) -> dict[str, Any]:
    """What an agent shows of its graph version. Versions are immutable, so this is
    rewritten only when the agent moves to another version."""
    return {
        "instructions": graph.instructions,
        "recommended_schedule_cron": graph.recommended_schedule_cron,
        "input_schema": graph.input_schema,
        "output_schema": graph.output_schema,
        "credentials_input_schema": graph.credentials_input_schema,
        "has_external_trigger": graph.has_external_trigger,
        "has_human_in_the_loop": graph.has_human_in_the_loop,
        "has_sensitive_action": graph.has_sensitive_action,
        "trigger_setup_info": graph.trigger_setup_info,
    }


def version_fields(graph: GraphModel) -> dict[str, Any]:
    """The item attributes that change when an agent moves to ``graph``'s version."""
    return {
        "graph_version": graph.version,
        "name": graph.name,
        "description": graph.description,
        "graph": pack(graph_snapshot(graph)),
    }


def agent_item(
    user_id: str,
    agent_id: str,
    graph: GraphModel,
    *,
    settings: dict[str, Any],
    latest_version: int,
    at: str,
    marketplace: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A new library agent for ``graph`` (owned by ``graph.user_id``).

    ``marketplace`` (the store's seam) carries ``marketplace_listing_version_id``,
    ``marketplace_listing``, ``creator_name``, ``creator_image_url`` and ``image_url``.
    """
    own = graph.user_id == user_id
    return {
        "pk": keys.user_pk(user_id),
        "sk": keys.library_agent_sk(agent_id),
        "type": AGENT_TYPE,
        "id": agent_id,
        "user_id": user_id,
        "graph_id": graph.id,
        "graph_owner_id": graph.user_id,
        "latest_version": latest_version,
        "settings": settings,
        "is_created_by_user": own,
        "auto_update_version": own,
        "is_favorite": False,
        "is_archived": False,
        "is_deleted": False,
        "created_at": at,
        "updated_at": at,
        "rev": 0,
        "active_runs": {},
        **version_fields(graph),
        **(marketplace or {}),
    }


def stored_item(agent: dict[str, Any]) -> dict[str, Any]:
    doc = {name: value for name, value in agent.items() if name not in _NATIVE}
    native = {name: agent[name] for name in _NATIVE if name in agent}
    return {**native, "doc": json.dumps(doc, separators=(",", ":"))}


def _unfolded(stored: dict[str, Any]) -> dict[str, Any]:
    agent = {name: value for name, value in stored.items() if name != "doc"}
    agent.update(json.loads(stored["doc"]))
    return agent


def agent_snapshot(item: dict[str, Any]) -> dict[str, Any]:
    return unpack(item["graph"])


class LibraryRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # -- agents

    def get_agent(
        self, user_id: str, agent_id: str, *, include_deleted: bool = False, consistent: bool = False
    ) -> dict[str, Any] | None:
        stored = self.table.get(keys.user_pk(user_id), keys.library_agent_sk(agent_id), consistent=consistent)
        if stored is None:
            return None
        agent = _unfolded(stored)
        return agent if include_deleted or not agent["is_deleted"] else None

    def get_agents(self, user_id: str, agent_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Whole agents, in the order asked (one batch read per 100)."""
        pk = keys.user_pk(user_id)
        found = self.table.batch_get([(pk, keys.library_agent_sk(agent_id)) for agent_id in agent_ids])
        by_id = {agent["id"]: agent for agent in map(_unfolded, found)}
        return [by_id[agent_id] for agent_id in agent_ids if agent_id in by_id]

    def list_agent_docs(self, user_id: str) -> list[dict[str, Any]]:
        """The ``doc`` of every library agent of the user, deleted ones included (one
        Query): enough to filter, search, sort and count, without the graph snapshots."""
        items = self.table.query(keys.user_pk(user_id), prefix=keys.LIBRARY_AGENT_PREFIX, attributes=("doc",))
        return [json.loads(item["doc"]) for item in items]

    @staticmethod
    def new_agent_op(agent: dict[str, Any]) -> dict[str, Any]:
        return put_op(stored_item(agent), "attribute_not_exists(pk)")

    def add_agent(self, agent: dict[str, Any]) -> bool:
        """Store a new agent; False when it exists already (deleted or not)."""
        try:
            self.table.put(stored_item(agent), condition="attribute_not_exists(pk)")
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def update_agent(
        self,
        user_id: str,
        agent_id: str,
        fields: dict[str, Any],
        *,
        include_deleted: bool = False,
        current: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Change an agent's ``fields`` (and ``updated_at``); NotFoundError when it is
        missing (or deleted, unless ``include_deleted``). ``doc`` is rewritten whole under
        the ``rev`` lock; ``current`` saves the read when the caller has the agent."""
        for _ in range(_DOC_UPDATE_ATTEMPTS):
            agent = current or self.get_agent(user_id, agent_id, include_deleted=True, consistent=True)
            if agent is None or (agent["is_deleted"] and not include_deleted):
                raise NotFoundError(f"Library agent #{agent_id} not found")
            updated = {**agent, **fields, "updated_at": now(), "rev": agent["rev"] + 1}
            stored = stored_item(updated)
            sets = ["doc = :doc", "rev = :next"] + (["graph = :graph"] if "graph" in fields else [])
            values = {":doc": stored["doc"], ":next": updated["rev"], ":rev": agent["rev"]}
            if "graph" in fields:
                values[":graph"] = fields["graph"]
            try:
                self.table.update(
                    keys.user_pk(user_id),
                    keys.library_agent_sk(agent_id),
                    "SET " + ", ".join(sets),
                    condition="rev = :rev",
                    values=values,
                )
                return updated
            except Exception as exc:
                if not is_condition_failure(exc):
                    raise
                current = None  # changed since it was read: read it again
        raise ValueError("The library agent was changed concurrently; retry")

    def record_run(self, run: dict[str, Any]) -> None:
        """Keep the run's library agent's aggregates in step with a run status write.

        ``active_runs`` maps each queued/running run to its status; a finished run leaves
        it and sets ``last_run_status``/``last_run_ended_at`` (and ``last_completed_at``).
        Map-key SET/REMOVE are idempotent, so a repeated write changes nothing. Best
        effort: the status write is done, and a library aggregate must never fail a run.
        """
        status = str(run.get("status"))
        names = {"#eid": str(run["id"])}
        values: dict[str, Any] = {":status": status}
        if status in _TERMINAL:
            update = "REMOVE active_runs.#eid SET last_run_status = :status, last_run_ended_at = :at"
            values[":at"] = run.get("ended_at") or now()
            if status == "COMPLETED":
                update += ", last_completed_at = :at"
        else:
            update = "SET active_runs.#eid = :status"
        try:
            self.table.update(
                keys.user_pk(run["user_id"]),
                keys.library_agent_sk(run_library_agent_id(run)),
                update,
                condition="attribute_exists(active_runs)",
                names=names,
                values=values,
            )
        except Exception as exc:
            if not is_condition_failure(exc):  # no library agent (yet) is normal
                logger.warning("library aggregate for run %s not updated: %s", run.get("id"), exc)

    # -- presets

    def put_preset(self, item: dict[str, Any]) -> None:
        self.table.put(item, condition="attribute_not_exists(pk)")

    def get_preset(self, user_id: str, preset_id: str) -> dict[str, Any] | None:
        item = self.table.get(keys.user_pk(user_id), keys.preset_sk(preset_id))
        if item is None or item.get("is_deleted"):
            return None
        return item

    def list_presets(self, user_id: str) -> list[dict[str, Any]]:
        """The user's presets, deleted ones left out (one Query)."""
        items = self.table.query(keys.user_pk(user_id), prefix=keys.PRESET_PREFIX)
        return [item for item in items if not item.get("is_deleted")]

    def update_preset(self, user_id: str, preset_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        """SET ``fields`` (and ``updated_at``) on a preset that is not deleted."""
        fields = {**fields, "updated_at": now()}
        try:
            return self.table.update(
                keys.user_pk(user_id),
                keys.preset_sk(preset_id),
                "SET " + ", ".join(f"#{name} = :{name}" for name in fields),
                condition="attribute_exists(pk) AND is_deleted = :not_deleted",
                names={f"#{name}": name for name in fields},
                values={**{f":{name}": value for name, value in fields.items()}, ":not_deleted": False},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                raise NotFoundError(f"Preset #{preset_id} not found") from exc
            raise

    def delete_graph_items(self, user_id: str, graph_id: str) -> None:
        """A deleted graph takes its own library agent and its presets with it, and
        the trigger presets' webhooks (their URLs stop answering)."""
        items = [
            item
            for item in self.table.query(keys.user_pk(user_id), prefix=keys.PRESET_PREFIX)
            if item.get("graph_id") == graph_id
        ]
        presets = [(keys.user_pk(user_id), item["sk"]) for item in items]
        webhooks = [
            (keys.webhook_pk(item["webhook_id"]), keys.WEBHOOK_SK) for item in items if item.get("webhook_id")
        ]
        agent = (keys.user_pk(user_id), keys.library_agent_sk(library_agent_id(user_id, graph_id)))
        self.table.batch_delete([agent, *presets, *webhooks])
