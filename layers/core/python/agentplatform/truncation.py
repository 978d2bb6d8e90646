"""Cutting a JSON value down to a preview that keeps its types and structure.

Long strings keep their head, long lists and dicts their first entries, and a marker
says how much was cut. Used for WebSocket events that must fit a message quota and
for large values a response shows only once in full.
"""

from __future__ import annotations

from typing import Any


def shrink(value: Any, cap: int) -> Any:
    """``value`` with strings cut to ``cap`` characters and containers to ``cap // 8 + 1`` entries."""
    items = cap // 8 + 1
    if isinstance(value, str):
        if len(value) <= cap:
            return value
        return f"{value[:cap]}… ({len(value) - cap} more characters truncated)"
    if isinstance(value, list):
        kept = [shrink(v, cap) for v in value[:items]]
        if len(value) > items:
            kept.append(f"… ({len(value) - items} more items truncated)")
        return kept
    if isinstance(value, dict):
        kept_dict = {k: shrink(v, cap) for k, v in list(value.items())[:items]}
        if len(value) > items:
            kept_dict["…"] = f"{len(value) - items} more keys truncated"
        return kept_dict
    return value
