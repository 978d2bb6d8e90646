"""Running a block's own test vector (``test_input`` / ``test_output`` / ``test_mock``).

The rules are upstream's: every input runs in order through ``execute()``; all yields
are concatenated and compared position by position with the expected pairs. A pair
matches when the pin names are equal and the value is equal, or is an instance of the
expected type, or satisfies the expected predicate. Extra or missing outputs fail.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable
from typing import Any

from agentplatform.blocks.block import Block


class BlockVectorMismatch(AssertionError):
    """The block's outputs do not match its declared test vector."""


def execution_kwargs(block: Block) -> dict[str, Any]:
    """What the engine passes to ``execute()``, with fresh ids (spec §5.1)."""
    kwargs: dict[str, Any] = {
        "graph_id": str(uuid.uuid4()),
        "node_id": str(uuid.uuid4()),
        "graph_exec_id": str(uuid.uuid4()),
        "node_exec_id": str(uuid.uuid4()),
        "user_id": str(uuid.uuid4()),
        "graph_version": 1,
        "execution_context": {},
    }
    if block.test_credentials is not None:
        kwargs["credentials"] = block.test_credentials
    return kwargs


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _with_mocks(block: Block) -> Block:
    """A fresh instance with ``test_mock`` methods patched in (the registry's is untouched)."""
    fresh = type(block)()
    for name, replacement in block.test_mock.items():
        if inspect.iscoroutinefunction(getattr(fresh, name, None)) and not inspect.iscoroutinefunction(
            replacement
        ):
            setattr(fresh, name, _async_wrapper(replacement))
        else:
            setattr(fresh, name, replacement)
    return fresh


def _async_wrapper(fn: Callable[..., Any]) -> Callable[..., Any]:
    async def wrapped(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return wrapped


def _matches(actual: Any, expected: Any) -> bool:
    if actual == expected:
        return True
    if isinstance(expected, type):
        return isinstance(actual, expected)
    if callable(expected):
        return bool(expected(actual))
    return False


async def run_block_vector(block: Block) -> list[tuple[str, Any]]:
    """Run the vector; raise ``BlockVectorMismatch`` on the first difference."""
    runner = _with_mocks(block)
    expected = _as_list(block.test_output)
    produced: list[tuple[str, Any]] = []
    for input_data in _as_list(block.test_input):
        async for pin, value in runner.execute(input_data, **execution_kwargs(block)):
            position = len(produced)
            produced.append((pin, value))
            if position >= len(expected):
                raise BlockVectorMismatch(
                    f"{block.name}: unexpected extra output #{position}: {pin}={value!r}"
                )
            want_pin, want_value = expected[position]
            if pin != want_pin or not _matches(value, want_value):
                raise BlockVectorMismatch(
                    f"{block.name}: output #{position} was {pin}={value!r}, "
                    f"expected {want_pin}={want_value!r}"
                )
    if len(produced) != len(expected):
        raise BlockVectorMismatch(
            f"{block.name}: produced {len(produced)} outputs, expected {len(expected)}: {produced!r}"
        )
    return produced
