"""Graph, node and link models (AutoGPT's graph JSON format).

``Graph`` is what clients send; ``GraphModel`` is what the platform stores and returns,
with the computed ``input_schema``, ``output_schema`` and ``credentials_input_schema``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, computed_field, field_validator

from agentplatform.models.ids import new_id


class _WithId(BaseModel):
    """AutoGPT's BaseDbModel: an empty id is replaced by a fresh uuid4."""

    id: str = Field(default_factory=new_id)

    @field_validator("id", mode="before")
    @classmethod
    def _fill_empty_id(cls, value: Any) -> Any:
        return value or new_id()


class Link(_WithId):
    source_id: str
    sink_id: str
    source_name: str
    sink_name: str
    is_static: bool = False

    def key(self) -> tuple[str, str, str, str]:
        return (self.source_id, self.sink_id, self.source_name, self.sink_name)


class Node(_WithId):
    block_id: str
    input_default: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
    input_links: list[Link] = Field(default_factory=list)
    output_links: list[Link] = Field(default_factory=list)


class NodeModel(Node):
    graph_id: str = ""
    graph_version: int = 1
    webhook_id: str | None = None
    webhook: dict[str, Any] | None = None


class GraphSettings(BaseModel):
    human_in_the_loop_safe_mode: bool = True
    sensitive_action_safe_mode: bool = False
    # Beyond upstream (issue #8104): opt in to a FAILED run when any node fails.
    fail_on_node_error: bool = False


class BaseGraph(_WithId):
    version: int = 1
    is_active: bool = True
    name: str = ""
    description: str = ""
    instructions: str | None = None
    recommended_schedule_cron: str | None = None
    nodes: list[Node] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    forked_from_id: str | None = None
    forked_from_version: int | None = None


class Graph(BaseGraph):
    """A graph as clients submit it (create, update, import)."""

    name: str  # required, as upstream: a body without one (say ``{}``) is not a graph
    sub_graphs: list[BaseGraph] = Field(default_factory=list)


class StoredSubGraph(BaseGraph):
    """A flattened sub-graph inside a stored ``GraphModel``."""

    model_config = ConfigDict(extra="ignore")
    nodes: list[NodeModel] = Field(default_factory=list)  # type: ignore[assignment]
    user_id: str = ""


class GraphSchemas(Protocol):
    """What ``GraphModel``'s computed fields need from the block catalogue.

    ``agentplatform.graphs.schema`` provides it and registers itself when the ``graphs``
    package is imported: a model never imports the services or the block registry.
    """

    def input_schema(self, graph: GraphModel) -> dict[str, Any]: ...
    def output_schema(self, graph: GraphModel) -> dict[str, Any]: ...
    def credentials_input_schema(self, graph: GraphModel) -> dict[str, Any]: ...
    def has_block_type(self, graph: GraphModel, *ui_types: str) -> bool: ...
    def has_sensitive_action(self, graph: GraphModel) -> bool: ...
    def trigger_setup_info(self, graph: BaseGraph) -> dict[str, Any] | None: ...


_graph_schemas: GraphSchemas | None = None


def register_graph_schemas(source: GraphSchemas) -> None:
    global _graph_schemas
    _graph_schemas = source


def _schemas() -> GraphSchemas:
    if _graph_schemas is None:
        raise RuntimeError("GraphModel's schemas come from agentplatform.graphs: import it first")
    return _graph_schemas


class GraphModel(BaseGraph):
    """A stored graph version, as every graph route returns it."""

    user_id: str
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    nodes: list[NodeModel] = Field(default_factory=list)  # type: ignore[assignment]
    sub_graphs: list[StoredSubGraph] = Field(default_factory=list)
    settings: GraphSettings = Field(default_factory=GraphSettings, exclude=True)
    # The marketplace listing of this graph, if its creator submitted it (from the graph's
    # meta item; never serialized): runs of a listed graph count towards the listing.
    _store_listing_id: str | None = PrivateAttr(default=None)

    @property
    def store_listing_id(self) -> str | None:
        return self._store_listing_id

    @computed_field  # type: ignore[prop-decorator]
    @property
    def input_schema(self) -> dict[str, Any]:
        return _schemas().input_schema(self)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def output_schema(self) -> dict[str, Any]:
        return _schemas().output_schema(self)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def credentials_input_schema(self) -> dict[str, Any]:
        return _schemas().credentials_input_schema(self)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def has_external_trigger(self) -> bool:
        return _schemas().has_block_type(self, "Webhook", "Webhook (manual)")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def has_human_in_the_loop(self) -> bool:
        return _schemas().has_block_type(self, "Human In The Loop")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def has_sensitive_action(self) -> bool:
        return _schemas().has_sensitive_action(self)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def trigger_setup_info(self) -> dict[str, Any] | None:
        return _schemas().trigger_setup_info(self)

    def node(self, node_id: str) -> NodeModel:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def link_nodes(self) -> None:
        """Rebuild each node's ``input_links``/``output_links`` from ``links``."""
        by_id = {node.id: node for node in self.nodes}
        for node in self.nodes:
            node.input_links, node.output_links = [], []
        for link in self.links:
            if link.sink_id in by_id:
                by_id[link.sink_id].input_links.append(link)
            if link.source_id in by_id:
                by_id[link.source_id].output_links.append(link)


class GraphMeta(GraphModel):
    """A graph without its nodes and links, for listings."""

    nodes: list[NodeModel] = Field(default_factory=list, exclude=True)
    links: list[Link] = Field(default_factory=list, exclude=True)


class CreateGraph(BaseModel):
    graph: Graph
    source: Literal["builder", "upload"] | None = None


class SetActiveVersion(BaseModel):
    active_graph_version: int


class DeleteGraphResponse(BaseModel):
    version_counts: int
