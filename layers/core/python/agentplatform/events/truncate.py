"""Fit an event message under API Gateway's message quota without dropping it.

Upstream truncates ``inputs``/``outputs``/``input_data``/``output_data`` to half its
message size limit. API Gateway allows 128 KB per posted message, so the bulky fields
share whatever the rest of the message leaves. Truncation keeps types and structure:
long strings keep their head, long lists and dicts keep their first entries, and a
marker says how much was cut. If even that cannot fit (a huge error text, say), every
string in the event is shortened the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from agentplatform.truncation import shrink

MESSAGE_LIMIT_BYTES = 128 * 1024
BULKY_FIELDS = ("inputs", "outputs", "input_data", "output_data")
_MIN_STRING_CAP = 64  # below this ids and timestamps would be cut


def json_size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def _longest(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return max([len(value) * 8, *(_longest(v) for v in value)])
    if isinstance(value, dict):
        return max([len(value) * 8, *(_longest(v) for v in value.values())])
    return 0


def _largest_fitting(fits: Callable[[int], bool], low: int, high: int) -> int | None:
    """The largest cap in [low, high] for which ``fits`` holds (it is monotone), if any."""
    if not fits(low):
        return None
    while low < high:
        mid = (low + high + 1) // 2
        if fits(mid):
            low = mid
        else:
            high = mid - 1
    return low


def fit_event(data: dict[str, Any], size_of: Callable[[dict[str, Any]], int], limit: int) -> dict[str, Any]:
    """``data`` (an event payload) cut down until ``size_of`` the message is within ``limit``."""
    if size_of(data) <= limit:
        return data
    bulky = [name for name in BULKY_FIELDS if name in data]

    def with_bulky(cap: int) -> dict[str, Any]:
        return {**data, **{name: shrink(data[name], cap) for name in bulky}}

    top = max([_longest(data[name]) for name in bulky] or [0])
    cap = _largest_fitting(lambda c: size_of(with_bulky(c)) <= limit, 0, top)
    if cap is not None:
        return with_bulky(cap)
    emptied = {**data, **{name: type(data[name])() for name in bulky}}

    def with_all(cap: int) -> dict[str, Any]:
        return {key: shrink(value, cap) for key, value in emptied.items()}

    top = max([_MIN_STRING_CAP, *(_longest(v) for v in emptied.values())])
    cap = _largest_fitting(lambda c: size_of(with_all(c)) <= limit, _MIN_STRING_CAP, top)
    return with_all(_MIN_STRING_CAP if cap is None else cap)
