"""Graph use cases behind the graph routes: validate, re-mint ids, version, export."""

from __future__ import annotations

from agentplatform.graphs.export import clean_for_export
from agentplatform.graphs.ids import reassign_ids
from agentplatform.graphs.legacy_pins import migrate_legacy_pins
from agentplatform.graphs.subgraphs import detach_sub_graphs, stored_sub_graphs, with_referenced_sub_graphs
from agentplatform.graphs.validation import validate_graphs
from agentplatform.library import sync as library_sync
from agentplatform.models.graph import (
    BaseGraph,
    Graph,
    GraphModel,
    GraphSettings,
    Link,
    NodeModel,
    StoredSubGraph,
)
from agentplatform.store.graphs import GraphRepository
from agentplatform.store.library import LibraryRepository


def _links_of(graph: BaseGraph) -> list[Link]:
    """Top-level links, or (for older exports) the links carried on the nodes."""
    if graph.links:
        return graph.links
    seen: dict[tuple[str, str, str, str], Link] = {}
    for node in graph.nodes:
        for link in (*node.input_links, *node.output_links):
            seen.setdefault(link.key(), link)
    return list(seen.values())


def _nodes_of(graph: BaseGraph) -> list[NodeModel]:
    return [
        NodeModel(
            id=node.id,
            block_id=node.block_id,
            input_default=node.input_default,
            metadata=node.metadata,
            graph_id=graph.id,
            graph_version=graph.version,
        )
        for node in graph.nodes
    ]


def to_graph_model(graph: Graph, user_id: str) -> GraphModel:
    model = GraphModel(
        **graph.model_dump(exclude={"nodes", "links", "sub_graphs"}),
        user_id=user_id,
        nodes=_nodes_of(graph),
        links=_links_of(graph),
        sub_graphs=[
            StoredSubGraph(
                **sub.model_dump(exclude={"nodes", "links"}),
                user_id=user_id,
                nodes=_nodes_of(sub),
                links=_links_of(sub),
            )
            for sub in graph.sub_graphs
        ],
    )
    model.link_nodes()
    return model


def _prepare(graph: Graph, user_id: str, *, new_graph: bool) -> GraphModel:
    """Validate as submitted (so errors name the client's node ids), then re-mint ids."""
    for each in (*graph.sub_graphs, graph):
        each.links = _links_of(each)
        migrate_legacy_pins(each)
    validate_graphs([*graph.sub_graphs, graph])
    reassign_ids(graph, user_id, reassign_graph_id=new_graph)
    if new_graph:
        detach_sub_graphs(graph)
    return to_graph_model(graph, user_id)


class GraphService:
    def __init__(self, repo: GraphRepository):
        self.repo = repo
        self.library = LibraryRepository(repo.table)

    def create(self, user_id: str, graph: Graph) -> GraphModel:
        graph.version, graph.is_active = 1, True
        model = _prepare(graph, user_id, new_graph=True)
        # Imported sub-graphs become graphs of their own; all of them join the library.
        subs = stored_sub_graphs(model)
        ops = [op for sub in subs for op in self.repo.creation_ops(sub)]
        return self.repo.create(model, with_ops=ops + library_sync.creation_ops([model, *subs]))

    def update(self, user_id: str, graph_id: str, graph: Graph) -> GraphModel:
        # A body without an id updates the graph in the path; a different id is an error.
        if "id" in graph.model_fields_set and graph.id != graph_id:
            raise ValueError("Graph ID does not match ID in URI")
        graph.id = graph_id
        created = self.repo.add_version(_prepare(graph, user_id, new_graph=False))
        library_sync.version_added(self.library, created)
        return created

    def get(
        self, user_id: str, graph_id: str, version: int | None = None, *, for_export: bool = False
    ) -> GraphModel:
        graph = self.repo.get(user_id, graph_id, version)
        return clean_for_export(with_referenced_sub_graphs(self.repo, graph)) if for_export else graph

    def list_versions(self, user_id: str, graph_id: str) -> list[GraphModel]:
        return self.repo.list_versions(user_id, graph_id)

    def list_active(self, user_id: str) -> list[GraphModel]:
        return self.repo.list_active(user_id)

    def set_active_version(self, user_id: str, graph_id: str, version: int) -> None:
        self.repo.set_active_version(user_id, graph_id, version)
        library_sync.version_activated(self.library, self.repo.get(user_id, graph_id, version))

    def update_settings(self, user_id: str, graph_id: str, settings: GraphSettings) -> GraphSettings:
        updated = self.repo.update_settings(user_id, graph_id, settings)
        library_sync.settings_changed(self.library, user_id, graph_id, updated)
        return updated

    def delete(self, user_id: str, graph_id: str) -> int:
        count = self.repo.delete(user_id, graph_id)
        library_sync.graph_deleted(self.library, user_id, graph_id)
        _stop_schedules(self.repo, user_id, graph_id)
        return count


def _stop_schedules(repo: GraphRepository, user_id: str, graph_id: str) -> None:
    """A deleted graph's schedules stop with it (upstream #11241)."""
    from agentplatform.schedules.service import ScheduleService
    from agentplatform.store.schedules import ScheduleRepository

    ScheduleService(ScheduleRepository(repo.table)).delete_for_graph(user_id, graph_id)
