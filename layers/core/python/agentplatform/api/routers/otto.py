"""``POST /api/otto/ask`` (spec §1.3 row 124); the proxy is ``otto/service.py``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from agentplatform.api.deps import UserId
from agentplatform.models.otto import ApiResponse, ChatRequest
from agentplatform.otto import service

router = APIRouter(prefix="/api/otto", tags=["v2", "otto"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid token"},
    502: {"description": "Otto failed or could not be reached"},
    503: {"description": "Otto is not configured (OTTO_API_URL)"},
}


@router.post("/ask", summary="Proxy Otto Chat Request", responses=ERRORS)
async def proxy_otto_request(user_id: UserId, request: ChatRequest) -> ApiResponse:
    """Ask Otto, optionally about one of the user's graphs (``include_graph_data``)."""
    return await service.ask(request, user_id)
