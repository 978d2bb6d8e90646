"""``/external-api/v1``: the API developers call with an API key or an OAuth token (§1.6).

Every route checks its scope (``api/external_auth.py``). Graph runs started here are the
caller's own, and accept ``Idempotency-Key`` as the internal execute route does.
Upstream answers 400 for any failure to start a run; here a graph the caller does not
own is a 404 (as everywhere else), bad input a 400.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, HTTPException, Response
from pydantic import BaseModel, Field

from agentplatform.api.external_auth import (
    AUTH_ERRORS,
    ExecuteBlock,
    ExecuteGraph,
    Identity,
    ReadBlock,
    ReadGraph,
)
from agentplatform.errors import IdempotencyKeyInProgressError, IdempotencyKeyReusedError, NotFoundError
from agentplatform.models.execution_status import ExecutionStatus

router = APIRouter(prefix="/external-api/v1")


class UserInfoResponse(BaseModel):
    id: str
    name: str | None
    email: str
    timezone: str = Field(description="The user's last known timezone, or 'not-set'")


class ExecutionNode(BaseModel):
    node_id: str
    input: Any
    output: dict[str, Any]


class GraphExecutionResult(BaseModel):
    execution_id: str
    status: str
    nodes: list[ExecutionNode]
    output: list[dict[str, Any]] | None


class GraphExecutionStarted(BaseModel):
    id: str


@router.get("/me", tags=["user", "meta"], responses=AUTH_ERRORS)
def get_user_info(auth: Identity) -> UserInfoResponse:
    from agentplatform.store.users import UserRepository

    user = UserRepository().get_or_create(auth.user_id)
    return UserInfoResponse(id=user.id, name=user.name, email=user.email, timezone=user.timezone)


_blocks: bytes | None = None


@router.get("/blocks", tags=["blocks"], responses=AUTH_ERRORS)
def get_graph_blocks(auth: ReadBlock) -> Response:
    """Every enabled block, as ``GET /api/blocks`` without ``costs`` (built once per Lambda)."""
    global _blocks
    if _blocks is None:
        from agentplatform.blocks.catalogue import catalogue_entries
        from agentplatform.blocks.registry import get_blocks

        entries = [{k: v for k, v in e.items() if k != "costs"} for e in catalogue_entries(get_blocks())]
        _blocks = json.dumps(entries, separators=(",", ":")).encode()
    return Response(content=_blocks, media_type="application/json")


@router.post("/blocks/{block_id}/execute", tags=["blocks"], responses={**AUTH_ERRORS, 404: {}})
async def execute_graph_block(
    auth: ExecuteBlock,
    block_id: str,
    data: Annotated[dict[str, Any], Body(...)],
) -> dict[str, list[Any]]:
    from agentplatform.api.routers.blocks import execute_graph_block as execute_block

    return await execute_block(auth.user_id, block_id, data)


@router.post(
    "/graphs/{graph_id}/execute/{graph_version}",
    tags=["graphs"],
    responses={**AUTH_ERRORS, 400: {}, 404: {}, 409: {}, 422: {}},
)
def execute_graph(
    auth: ExecuteGraph,
    graph_id: str,
    graph_version: int,
    node_input: Annotated[dict[str, Any], Body(embed=True, default_factory=dict)],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> GraphExecutionStarted:
    from agentplatform.executions.idempotency import IdempotentRuns
    from agentplatform.executions.service import ExecutionService

    executions = ExecutionService()
    request = {"external": [graph_id, graph_version], "node_input": node_input}
    try:
        run = IdempotentRuns().run(
            auth.user_id,
            idempotency_key,
            request,
            start=lambda run_id: executions.execute(
                auth.user_id, graph_id, graph_version, node_input, graph_exec_id=run_id
            ),
            replay=lambda run_id: executions.get(auth.user_id, graph_id, run_id),
        )
    except (NotFoundError, IdempotencyKeyReusedError, IdempotencyKeyInProgressError):
        raise
    except ValueError as exc:
        raise HTTPException(400, detail=str(exc)) from None
    return GraphExecutionStarted(id=run.id)


@router.get(
    "/graphs/{graph_id}/executions/{graph_exec_id}/results",
    tags=["graphs"],
    responses={**AUTH_ERRORS, 404: {}},
)
def get_graph_execution_results(
    auth: ReadGraph,
    graph_id: str,
    graph_exec_id: str,
) -> GraphExecutionResult:
    from agentplatform.executions.service import ExecutionService

    run = ExecutionService().get(auth.user_id, graph_id, graph_exec_id)
    completed = run.status == ExecutionStatus.COMPLETED
    return GraphExecutionResult(
        execution_id=graph_exec_id,
        status=str(run.status),
        nodes=[
            ExecutionNode(
                node_id=node.node_id,
                input=node.input_data.get("value", node.input_data),
                output=dict(node.output_data),
            )
            for node in run.node_executions
        ],
        output=[{name: value} for name, values in run.outputs.items() for value in values]
        if completed
        else None,
    )
