"""Per-execution stats a block reports besides its outputs (token usage, LLM calls).

Block instances are shared by every execution in a process, so stats cannot live on
the block. The engine opens a collector around one node execution; whatever runs
inside it (the block, the LLM client it calls) adds to it; the engine then merges
``collector.as_dict()`` into the node execution's stats::

    with collect_stats() as stats:
        async for pin, value in block.execute(data, **kwargs):
            ...
    node_stats.update(stats.as_dict())

Outside a collector, ``record_stats`` is a no-op. Context variables follow the async
generator into the consumer's context, so this works across ``await``s and threads
that copy the context.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass


@dataclass
class ExecutionStats:
    """The block-reported subset of upstream's ``NodeExecutionStats``."""

    llm_call_count: int = 0
    llm_retry_count: int = 0
    input_token_count: int = 0
    output_token_count: int = 0
    extra_cost: int = 0
    extra_steps: int = 0

    def add(self, **deltas: int) -> None:
        for name, delta in deltas.items():
            setattr(self, name, getattr(self, name) + int(delta))

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


_current: ContextVar[ExecutionStats | None] = ContextVar("block_execution_stats", default=None)


@contextmanager
def collect_stats() -> Iterator[ExecutionStats]:
    stats = ExecutionStats()
    token = _current.set(stats)
    try:
        yield stats
    finally:
        _current.reset(token)


def start_collecting() -> ExecutionStats:
    """Collect for the rest of the current context: for a coroutine that runs as its own
    task (``loop.run_until_complete``, ``asyncio.create_task``), whose context copy ends
    with it, so no reset is needed."""
    stats = ExecutionStats()
    _current.set(stats)
    return stats


def record_stats(**deltas: int) -> None:
    """Add to the current execution's stats, e.g. ``record_stats(llm_call_count=1)``."""
    stats = _current.get()
    if stats is not None:
        stats.add(**deltas)
