"""Running an AI block the way the engine does, with stats collected."""

from __future__ import annotations

import asyncio
from typing import Any

from agentplatform.blocks.registry import get_block
from agentplatform.blocks.stats import ExecutionStats, collect_stats
from agentplatform.models.credentials import APIKeyCredentials

SECRET = "sk-stub-key-7c1e0a9d-never-print-me"


def creds(stub_url: str, provider: str = "openai") -> APIKeyCredentials:
    return APIKeyCredentials(provider=provider, api_key=SECRET, base_url=stub_url, title="stub")  # type: ignore[arg-type]


def meta(c: APIKeyCredentials) -> dict[str, Any]:
    return {"id": c.id, "provider": c.provider, "type": c.type, "title": c.title}


def run_block(
    block_id: str, data: dict[str, Any], **kwargs: Any
) -> tuple[list[tuple[str, Any]], ExecutionStats]:
    block = get_block(block_id)
    assert block is not None

    async def go() -> tuple[list[tuple[str, Any]], ExecutionStats]:
        with collect_stats() as stats:
            outputs = [pair async for pair in block.execute(data, **kwargs)]
        return outputs, stats

    return asyncio.run(go())
