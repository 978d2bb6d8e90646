"""Pin naming: dynamic fields (``_$_`` list index, ``_#_`` dict key, ``_@_`` attribute)
and SmartDecisionMaker tool pins (``tools_^_{sink}_~_{field}``)."""

from __future__ import annotations

LIST_SPLIT = "_$_"
DICT_SPLIT = "_#_"
OBJC_SPLIT = "_@_"
TOOL_PREFIX = "tools_^_"
TOOL_FIELD_SPLIT = "_~_"
DYNAMIC_DELIMITERS = (LIST_SPLIT, DICT_SPLIT, OBJC_SPLIT)


def sanitize_pin_name(name: str) -> str:
    """The declared field a pin name refers to: ``values_#_a`` -> ``values``."""
    if name.startswith(TOOL_PREFIX):
        return "tools"
    cut = min((name.find(d) for d in DYNAMIC_DELIMITERS if d in name), default=-1)
    return name if cut < 0 else name[:cut]
