"""Library agents follow their graphs: what graph changes do to the owner's agent.

``GraphService`` calls these after each write. An agent follows its graph's active
version while ``auto_update_version`` is on (always, unless the user turned it off).
Graphs stored before the library existed have no agent; the hooks leave them so.
"""

from __future__ import annotations

import contextlib
from typing import Any

from agentplatform.errors import NotFoundError
from agentplatform.models.graph import GraphModel, GraphSettings
from agentplatform.store.library import LibraryRepository, agent_item, library_agent_id, now, version_fields


def creation_ops(graphs: list[GraphModel]) -> list[dict[str, Any]]:
    """One library agent per new graph, written with the graphs (upstream adds imported
    sub-graphs to the library too)."""
    at = now()
    return [
        LibraryRepository.new_agent_op(
            agent_item(
                graph.user_id,
                library_agent_id(graph.user_id, graph.id),
                graph,
                settings=graph.settings.model_dump(),
                latest_version=graph.version,
                at=at,
            )
        )
        for graph in graphs
    ]


def version_added(repo: LibraryRepository, graph: GraphModel) -> None:
    """A new version is the latest; the agent moves to it when it became active."""
    _follow(repo, graph, {"latest_version": graph.version}, move=graph.is_active)


def version_activated(repo: LibraryRepository, graph: GraphModel) -> None:
    _follow(repo, graph, {}, move=True)


def _follow(repo: LibraryRepository, graph: GraphModel, fields: dict[str, Any], *, move: bool) -> None:
    agent_id = library_agent_id(graph.user_id, graph.id)
    item = repo.get_agent(graph.user_id, agent_id, include_deleted=True)
    if item is None:
        return
    if move and item.get("auto_update_version"):
        fields = {**fields, **version_fields(graph)}
    if fields:
        repo.update_agent(graph.user_id, agent_id, fields, include_deleted=True, current=item)


def settings_changed(repo: LibraryRepository, user_id: str, graph_id: str, settings: GraphSettings) -> None:
    agent_id = library_agent_id(user_id, graph_id)
    with contextlib.suppress(NotFoundError):  # a graph from before the library has no agent
        repo.update_agent(user_id, agent_id, {"settings": settings.model_dump()}, include_deleted=True)


def graph_deleted(repo: LibraryRepository, user_id: str, graph_id: str) -> None:
    repo.delete_graph_items(user_id, graph_id)
