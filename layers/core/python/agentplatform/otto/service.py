"""``POST /api/otto/ask``: forward the question (and, if asked, the user's graph) to Otto.

The endpoint is an operator setting (``OTTO_API_URL``, upstream's name); requests go
through the SSRF-safe client like every outbound call, so the URL must resolve to a
public address unless ``TRUST_ENDPOINTS_FOR_REQUESTS`` lists it. Unset: 503. Otto
failing or unreachable: 502, with Otto's status but never its body (which could echo
the request) in the message.
"""

from __future__ import annotations

import logging
from typing import Any

from agentplatform.config import get_settings
from agentplatform.errors import MissingConfigError, NotFoundError, UpstreamServiceError
from agentplatform.models.otto import ApiResponse, ChatRequest, GraphData

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 25.0  # inside the REST function's 28 s
_SECRET_INPUTS = ("credentials",)


def graph_data(user_id: str, graph_id: str) -> GraphData | None:
    """The user's graph (active version) as Otto reads it: nodes with their blocks and
    inputs, credentials left out. Another user's graph is not found."""
    from agentplatform.blocks.registry import get_block
    from agentplatform.store.graphs import GraphRepository

    try:
        graph = GraphRepository().get(user_id, graph_id)
    except NotFoundError:
        return None
    nodes = []
    for node in graph.nodes:
        block = get_block(node.block_id)
        if block is None:
            continue
        nodes.append(
            {
                "id": node.id,
                "block_id": node.block_id,
                "block_name": block.name,
                "block_type": block.block_type.value,
                "data": {k: v for k, v in (node.input_default or {}).items() if k not in _SECRET_INPUTS},
            }
        )
    return GraphData(nodes=nodes, edges=[], graph_name=graph.name, graph_description=graph.description)


def _payload(request: ChatRequest, user_id: str) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "query": request.query,
        "conversation_history": [message.model_dump() for message in request.conversation_history],
        "user_id": user_id,
        "message_id": request.message_id,
    }
    if request.include_graph_data and request.graph_id:
        data = graph_data(user_id, request.graph_id)
        if data is not None:
            payload["graph_data"] = data.model_dump()
    return payload


async def ask(request: ChatRequest, user_id: str) -> ApiResponse:
    url = get_settings().otto_api_url
    if not url:
        raise MissingConfigError("Otto is not configured: set OTTO_API_URL to the Otto service's URL")
    import asyncio

    import httpx

    from agentplatform.net.safe_http import SafeHttpClient

    payload = await asyncio.to_thread(_payload, request, user_id)
    try:
        async with SafeHttpClient(timeout=TIMEOUT_SECONDS) as client:
            response = await client.request("POST", url, json=payload, headers={"Accept": "application/json"})
    except (httpx.HTTPError, ValueError) as exc:
        logger.warning("Otto request failed: %s", type(exc).__name__)
        raise UpstreamServiceError("Failed to connect to Otto service") from None
    if response.status_code != 200:
        raise UpstreamServiceError(f"Otto API request failed with status {response.status_code}")
    try:
        return ApiResponse.model_validate(response.json())
    except ValueError:
        raise UpstreamServiceError("Otto API returned an invalid response") from None
