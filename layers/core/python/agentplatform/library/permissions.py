"""Who may run which graph version (spec §3.1 step 2): one check, called by every run start.

A user may run a graph version they own, unless they removed that graph's agent from
their library (deleted or archived: 403, as upstream's ``GraphNotInLibraryError``), or
a version another user published in an approved marketplace listing that is in their
library. Anything else does not exist for them (404). A sub-graph runs under its
parent run's permission: it is read from the parent graph's owner, so a marketplace
agent's sub-agents (the creator's graphs) run too, while an own graph can only reach
the user's own graphs.
"""

from __future__ import annotations

from agentplatform.errors import NotAuthorizedError, NotFoundError
from agentplatform.library import listings
from agentplatform.models.graph import GraphModel
from agentplatform.store.graphs import GraphRepository
from agentplatform.store.library import LibraryRepository, library_agent_id


def _not_in_library(graph_id: str) -> NotAuthorizedError:
    return NotAuthorizedError(f"Graph #{graph_id} is not in your library")


def runnable_graph(
    graphs: GraphRepository,
    user_id: str,
    graph_id: str,
    version: int | None,
    *,
    parent: dict[str, str] | None = None,
) -> GraphModel:
    """The graph version ``user_id`` may run, read from its owner (``graph.user_id``)."""
    if parent is not None:
        return graphs.get(parent.get("graph_owner_id") or user_id, graph_id, version)
    library = LibraryRepository(graphs.table)
    try:
        graph = graphs.get(user_id, graph_id, version)
    except NotFoundError:
        if version is None:
            raise
        return _marketplace_graph(graphs, library, user_id, graph_id, version)
    agent = library.get_agent(user_id, library_agent_id(user_id, graph_id), include_deleted=True)
    if agent is not None and (agent.get("is_deleted") or agent.get("is_archived")):
        raise _not_in_library(graph_id)
    return graph


def _marketplace_graph(
    graphs: GraphRepository, library: LibraryRepository, user_id: str, graph_id: str, version: int
) -> GraphModel:
    agent = library.get_agent(user_id, library_agent_id(user_id, graph_id, version), include_deleted=True)
    listing_version_id = (agent or {}).get("marketplace_listing_version_id")
    if agent is None or not listing_version_id or listings.find_approved_listing(listing_version_id) is None:
        raise NotFoundError(f"Graph #{graph_id} not found.")
    if agent.get("is_deleted") or agent.get("is_archived"):
        raise _not_in_library(graph_id)
    return graphs.get(agent["graph_owner_id"], graph_id, version)
