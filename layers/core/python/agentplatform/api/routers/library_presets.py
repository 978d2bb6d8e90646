"""``/api/library/presets``: saved inputs for running a library agent (spec §1.5)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response

from agentplatform.api.deps import UserId
from agentplatform.library.presets import PresetService
from agentplatform.models.execution import GraphExecutionMeta
from agentplatform.models.library import (
    ExecutePresetRequest,
    LibraryAgentPreset,
    LibraryAgentPresetCreatable,
    LibraryAgentPresetCreatableFromGraphExecution,
    LibraryAgentPresetResponse,
    LibraryAgentPresetUpdatable,
    TriggeredPresetSetupRequest,
)

router = APIRouter(prefix="/api/library/presets", tags=["v2", "presets"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such preset (or graph) of the caller's"}
}
BAD_REQUEST: dict[int | str, dict[str, Any]] = {400: {"description": "Invalid request"}}


def preset_service() -> PresetService:
    return PresetService()


Presets = Annotated[PresetService, Depends(preset_service)]


@router.get("", summary="List presets")
def list_presets(
    user_id: UserId,
    presets: Presets,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1)] = 10,
    graph_id: Annotated[
        str | None, Query(description="Allows to filter presets by a specific agent graph")
    ] = None,
) -> LibraryAgentPresetResponse:
    """A page of the caller's presets, oldest first."""
    return presets.list(user_id, page, page_size, graph_id)


@router.get("/{preset_id}", summary="Get a specific preset", responses=NOT_FOUND)
def get_preset(user_id: UserId, presets: Presets, preset_id: str) -> LibraryAgentPreset:
    return presets.get(user_id, preset_id)


@router.post("", summary="Create a new preset", responses={**NOT_FOUND, **BAD_REQUEST})
def create_preset(
    user_id: UserId,
    presets: Presets,
    preset: LibraryAgentPresetCreatable | LibraryAgentPresetCreatableFromGraphExecution,
) -> LibraryAgentPreset:
    """From explicit inputs and credentials, or from an earlier run (``graph_execution_id``)."""
    if isinstance(preset, LibraryAgentPresetCreatable):
        return presets.create(user_id, preset)
    return presets.create_from_run(user_id, preset)


@router.post(
    "/setup-trigger", summary="Set up a webhook-triggered preset", responses={**NOT_FOUND, **BAD_REQUEST}
)
def setup_trigger(
    user_id: UserId, presets: Presets, params: TriggeredPresetSetupRequest
) -> LibraryAgentPreset:
    """Sets up a webhook-triggered `LibraryAgentPreset` for a `LibraryAgent`."""
    return presets.setup_trigger(user_id, params)


@router.patch("/{preset_id}", summary="Update an existing preset", responses={**NOT_FOUND, **BAD_REQUEST})
def update_preset(
    user_id: UserId, presets: Presets, preset_id: str, preset: LibraryAgentPresetUpdatable
) -> LibraryAgentPreset:
    return presets.update(user_id, preset_id, preset)


@router.delete("/{preset_id}", summary="Delete a preset", status_code=204, responses=NOT_FOUND)
def delete_preset(user_id: UserId, presets: Presets, preset_id: str) -> Response:
    presets.delete(user_id, preset_id)
    return Response(status_code=204)


@router.post("/{preset_id}/execute", summary="Execute a preset", responses={**NOT_FOUND, **BAD_REQUEST})
def execute_preset(
    user_id: UserId,
    presets: Presets,
    preset_id: str,
    body: Annotated[ExecutePresetRequest, Body()] = ExecutePresetRequest(),
) -> GraphExecutionMeta:
    """Run the preset's graph with its inputs; the request's inputs and credentials win."""
    return presets.execute(user_id, preset_id, body)
