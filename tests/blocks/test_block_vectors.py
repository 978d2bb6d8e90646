"""Every registered block with a test vector runs it (spec §5.1)."""

from __future__ import annotations

import asyncio

import pytest

from agentplatform.blocks.registry import get_blocks
from agentplatform.blocks.testing import run_block_vector

# Blocks whose vectors cannot run in isolation (upstream skips the same one).
SKIPPED: set[str] = set()

_WITH_VECTORS = sorted(
    (block for block in get_blocks().values() if block.test_input is not None and block.name not in SKIPPED),
    key=lambda block: block.name,
)


@pytest.mark.parametrize("block", _WITH_VECTORS, ids=lambda block: block.name)
def test_block_vector(block):
    produced = asyncio.run(run_block_vector(block))
    assert produced, f"{block.name} produced nothing"
