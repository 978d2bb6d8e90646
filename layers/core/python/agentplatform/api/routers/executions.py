"""Graph runs: execute, stop, list, read, delete and share (spec §1.5)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, HTTPException, Path, Query, Response

from agentplatform.api.deps import UserId
from agentplatform.config import get_settings
from agentplatform.executions.idempotency import IdempotentRuns
from agentplatform.executions.service import ExecutionService
from agentplatform.models.execution import (
    ExecuteGraphRequest,
    GraphExecutionMeta,
    GraphExecutionsPaginated,
    GraphExecutionWithNodes,
    SharedExecutionResponse,
    ShareResponse,
)

logger = logging.getLogger(__name__)
router = APIRouter(tags=["v1", "graphs"])

_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def execution_service() -> ExecutionService:
    return ExecutionService()


Executions = Annotated[ExecutionService, Depends(execution_service)]

INSUFFICIENT_BALANCE = "Insufficient balance to execute the agent. Please top up your account."


def require_positive_balance(user_id: UserId) -> None:
    """402 before anything is queued when the balance is exhausted (credits enabled)."""
    from agentplatform.credits.service import CreditService, credits_enabled

    if credits_enabled() and CreditService().get_credits(user_id) <= 0:
        raise HTTPException(402, detail=INSUFFICIENT_BALANCE)


@router.post(
    "/api/graphs/{graph_id}/execute/{graph_version}",
    summary="Execute graph agent",
    dependencies=[Depends(require_positive_balance)],
    responses={402: {"description": "Insufficient credit balance"}},
)
def execute_graph(
    user_id: UserId,
    executions: Executions,
    graph_id: str,
    graph_version: int,
    body: Annotated[ExecuteGraphRequest, Body()] = ExecuteGraphRequest(),
    preset_id: str | None = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> GraphExecutionWithNodes:
    inputs, credentials_inputs = body.inputs, body.credentials_inputs
    if preset_id:  # the preset's inputs, the request's on top
        from agentplatform.library.presets import PresetService

        inputs, credentials_inputs = PresetService().merged_inputs(
            user_id, preset_id, graph_id, inputs, credentials_inputs
        )
    request = {"graph": [graph_id, graph_version, preset_id], "body": body.model_dump(mode="json")}
    return IdempotentRuns().run(
        user_id,
        idempotency_key,
        request,
        start=lambda run_id: _counted_for_onboarding(
            user_id,
            graph_id,
            body.source,
            executions.execute(
                user_id,
                graph_id,
                graph_version,
                inputs,
                credentials_inputs=credentials_inputs,
                preset_id=preset_id,
                graph_exec_id=run_id,
            ),
        ),
        replay=lambda run_id: executions.get(user_id, graph_id, run_id),
    )


def _counted_for_onboarding(
    user_id: str, graph_id: str, source: str | None, run: GraphExecutionWithNodes
) -> GraphExecutionWithNodes:
    """Onboarding progress for a run the user started (never fails the run's start)."""
    from agentplatform.onboarding.service import OnboardingService

    try:
        OnboardingService().record_execution(user_id, graph_id, source)
    except Exception:
        logger.exception("Onboarding progress for run %s not recorded", run.id)
    return run


@router.post("/api/graphs/{graph_id}/executions/{graph_exec_id}/stop", summary="Stop graph execution")
def stop_graph_run(
    user_id: UserId, executions: Executions, graph_id: str, graph_exec_id: str
) -> GraphExecutionMeta | None:
    return executions.stop(user_id, graph_id, graph_exec_id)


@router.get("/api/executions", summary="List all executions")
def list_graphs_executions(user_id: UserId, executions: Executions) -> list[GraphExecutionMeta]:
    return executions.list_all(user_id)


@router.get("/api/graphs/{graph_id}/executions", summary="List graph executions")
def list_graph_executions(
    user_id: UserId,
    executions: Executions,
    graph_id: str,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 25,
) -> GraphExecutionsPaginated:
    return executions.list_for_graph(user_id, graph_id, page, page_size)


@router.get("/api/graphs/{graph_id}/executions/{graph_exec_id}", summary="Get execution details")
def get_graph_execution(
    user_id: UserId, executions: Executions, graph_id: str, graph_exec_id: str
) -> GraphExecutionWithNodes:
    return executions.get(user_id, graph_id, graph_exec_id)


@router.delete("/api/executions/{graph_exec_id}", summary="Delete graph execution", status_code=204)
def delete_graph_execution(user_id: UserId, executions: Executions, graph_exec_id: str) -> Response:
    executions.delete(user_id, graph_exec_id)
    return Response(status_code=204)


@router.post(
    "/api/graphs/{graph_id}/executions/{graph_exec_id}/share", summary="Enable sharing for a graph execution."
)
def enable_execution_sharing(
    user_id: UserId, executions: Executions, graph_id: str, graph_exec_id: str
) -> ShareResponse:
    return executions.share(user_id, graph_id, graph_exec_id, get_settings().frontend_base_url)


@router.delete(
    "/api/graphs/{graph_id}/executions/{graph_exec_id}/share",
    summary="Disable sharing for a graph execution.",
    status_code=204,
)
def disable_execution_sharing(
    user_id: UserId, executions: Executions, graph_id: str, graph_exec_id: str
) -> Response:
    executions.unshare(user_id, graph_id, graph_exec_id)
    return Response(status_code=204)


@router.get(
    "/api/public/shared/{share_token}",
    summary="Get a shared graph execution by share token (no auth required).",
)
def get_shared_execution(
    executions: Executions, share_token: Annotated[str, Path(pattern=_UUID)]
) -> SharedExecutionResponse:
    return executions.shared(share_token)
