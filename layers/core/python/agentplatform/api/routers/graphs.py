"""``/api/graphs``: create, read, version, activate, configure and delete graphs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from agentplatform.api.deps import UserId
from agentplatform.graphs.service import GraphService
from agentplatform.models.graph import (
    CreateGraph,
    DeleteGraphResponse,
    Graph,
    GraphMeta,
    GraphModel,
    GraphSettings,
    SetActiveVersion,
)
from agentplatform.store.graphs import GraphRepository

router = APIRouter(prefix="/api/graphs", tags=["v1", "graphs"])


def graph_service() -> GraphService:
    return GraphService(GraphRepository())


Graphs = Annotated[GraphService, Depends(graph_service)]


@router.get("", summary="List user graphs")
def list_graphs(user_id: UserId, graphs: Graphs) -> list[GraphMeta]:
    return [GraphMeta.model_validate(g, from_attributes=True) for g in graphs.list_active(user_id)]


@router.post("", summary="Create new graph")
def create_graph(user_id: UserId, graphs: Graphs, body: CreateGraph) -> GraphModel:
    return graphs.create(user_id, body.graph)


@router.get("/{graph_id}", summary="Get specific graph")
def get_graph(
    user_id: UserId, graphs: Graphs, graph_id: str, version: int | None = None, for_export: bool = False
) -> GraphModel:
    return graphs.get(user_id, graph_id, version, for_export=for_export)


@router.get("/{graph_id}/versions/{version}", summary="Get graph version")
def get_graph_version(
    user_id: UserId, graphs: Graphs, graph_id: str, version: int, for_export: bool = False
) -> GraphModel:
    return graphs.get(user_id, graph_id, version, for_export=for_export)


@router.get("/{graph_id}/versions", summary="Get all graph versions")
def get_graph_all_versions(user_id: UserId, graphs: Graphs, graph_id: str) -> list[GraphModel]:
    return graphs.list_versions(user_id, graph_id)


@router.put("/{graph_id}", summary="Update graph version")
def update_graph(user_id: UserId, graphs: Graphs, graph_id: str, graph: Graph) -> GraphModel:
    return graphs.update(user_id, graph_id, graph)


@router.put("/{graph_id}/versions/active", summary="Set active graph version")
def set_graph_active_version(user_id: UserId, graphs: Graphs, graph_id: str, body: SetActiveVersion) -> None:
    graphs.set_active_version(user_id, graph_id, body.active_graph_version)


@router.patch("/{graph_id}/settings", summary="Update graph settings")
def update_graph_settings(
    user_id: UserId, graphs: Graphs, graph_id: str, settings: GraphSettings
) -> GraphSettings:
    return graphs.update_settings(user_id, graph_id, settings)


@router.delete("/{graph_id}", summary="Delete graph permanently")
def delete_graph(user_id: UserId, graphs: Graphs, graph_id: str) -> DeleteGraphResponse:
    return DeleteGraphResponse(version_counts=graphs.delete(user_id, graph_id))
