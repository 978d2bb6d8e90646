"""``/api/blocks``: the block catalogue, and running one block outside any graph."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Response
from fastapi.encoders import jsonable_encoder

from agentplatform.api.deps import UserId
from agentplatform.blocks.registry import get_block, get_blocks
from agentplatform.errors import NotAuthorizedError, NotFoundError

router = APIRouter(prefix="/api/blocks", tags=["v1", "blocks"])

_catalogue: bytes | None = None


def block_catalogue() -> bytes:
    """The serialized ``GET /api/blocks`` body, built once per cold start."""
    global _catalogue
    if _catalogue is None:
        from agentplatform.blocks.catalogue import catalogue_entries

        _catalogue = json.dumps(catalogue_entries(get_blocks()), separators=(",", ":")).encode()
    return _catalogue


@router.get("", summary="List available blocks")
def get_graph_blocks(user_id: UserId) -> Response:
    return Response(content=block_catalogue(), media_type="application/json")


@router.post("/{block_id}/execute", summary="Execute graph block")
async def execute_graph_block(
    user_id: UserId, block_id: str, data: Annotated[dict[str, Any], Body(...)]
) -> dict[str, list[Any]]:
    block = get_block(block_id)
    if block is None:
        raise NotFoundError(f"Block #{block_id} not found.")
    if block.disabled:
        raise NotAuthorizedError(f"Block #{block_id} is disabled.")
    kwargs: dict[str, Any] = {"user_id": user_id}
    if block.input_schema.get_credentials_fields():  # beyond upstream: stored credentials work here too
        from agentplatform.integrations.resolve import resolve_fresh_node_credentials

        kwargs.update(await resolve_fresh_node_credentials(user_id, block, data))
    output: dict[str, list[Any]] = {}
    async for pin, value in block.execute(data, **kwargs):
        output.setdefault(pin, []).append(value)
    return jsonable_encoder(output)
