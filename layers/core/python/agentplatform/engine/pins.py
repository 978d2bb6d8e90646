"""Pin naming: dynamic fields (``_$_`` list index, ``_#_`` dict key, ``_@_`` attribute)
and SmartDecisionMaker tool pins (``tools_^_{sink}_~_{field}``).

Output side: a link's ``source_name`` may select a piece of an output value
(``result_$_0_#_name``); ``parse_execution_output`` extracts it. Input side: links may
fill flattened pins (``values_#_name``); ``merge_execution_input`` rebuilds the nested
value the block declared (``values``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

LIST_SPLIT = "_$_"
DICT_SPLIT = "_#_"
OBJC_SPLIT = "_@_"
TOOL_PREFIX = "tools_^_"
TOOL_FIELD_SPLIT = "_~_"
DYNAMIC_DELIMITERS = (LIST_SPLIT, DICT_SPLIT, OBJC_SPLIT)

_TOOL_SINK_REQUIRED = "sink_node_id and sink_pin_name must be provided for tool pin routing"
_MISSING = object()


class PinObject(dict[str, Any]):
    """An attribute bag built from ``name_@_attr`` pins (upstream uses ``MockObject``).

    A dict underneath, so merged inputs holding one still store and serialize as JSON.
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __repr__(self) -> str:
        return f"PinObject({dict.__repr__(self)})"

    def to_dict(self) -> dict[str, Any]:
        return dict(self)


def sanitize_pin_name(name: str) -> str:
    """The declared field a pin name refers to: ``values_#_a`` -> ``values``."""
    if name.startswith(TOOL_PREFIX):
        return "tools"
    cut = _first_delimiter(name)
    return name if cut < 0 else name[:cut]


def is_dynamic_pin(name: str) -> bool:
    return _first_delimiter(name) >= 0


def is_tool_pin(name: str) -> bool:
    return name.startswith(TOOL_PREFIX)


def _first_delimiter(name: str, start: int = 0) -> int:
    found = [pos for pos in (name.find(d, start) for d in DYNAMIC_DELIMITERS) if pos >= 0]
    return min(found, default=-1)


def _path_steps(path: str) -> Iterator[tuple[str, str]]:
    """``_$_0_#_key`` -> ("_$_", "0"), ("_#_", "key"). ``path`` starts with a delimiter."""
    pos = 0
    while pos < len(path):
        delimiter = path[pos : pos + 3]
        following = _first_delimiter(path, pos + 3)
        end = len(path) if following < 0 else following
        yield delimiter, path[pos + 3 : end]
        pos = end


# ---------------------------------------------------------------- output side


def parse_execution_output(
    output_item: tuple[str, Any],
    link_output_selector: str,
    sink_node_id: str | None = None,
    sink_pin_name: str | None = None,
) -> Any | None:
    """The value a link with ``source_name == link_output_selector`` carries for this
    output, or None when the link does not take this output."""
    output_name, data = output_item
    if is_tool_pin(output_name):
        return _route_tool_pin(output_name, data, link_output_selector, sink_node_id, sink_pin_name)
    if output_name == link_output_selector:
        return data
    if not link_output_selector.startswith(output_name):
        return None
    path = link_output_selector[len(output_name) :]
    if _first_delimiter(path) != 0:
        return None
    current = data
    for delimiter, key in _path_steps(path):
        current = _step_into(current, delimiter, key)
        if current is _MISSING:
            return None
    return current


def _route_tool_pin(
    output_name: str,
    data: Any,
    selector: str,
    sink_node_id: str | None,
    sink_pin_name: str | None,
) -> Any | None:
    if sink_node_id is None or sink_pin_name is None:
        raise ValueError(_TOOL_SINK_REQUIRED)
    if selector != "tools" and not is_tool_pin(selector):
        return None
    target = output_name[len(TOOL_PREFIX) :]
    node_id, sep, field = target.partition(TOOL_FIELD_SPLIT)
    if not sep:
        return None
    return data if node_id == sink_node_id and field == sink_pin_name else None


def _step_into(current: Any, delimiter: str, key: str) -> Any:
    if delimiter == LIST_SPLIT:
        if not isinstance(current, list | tuple) or not key.isdigit():
            return _MISSING
        index = int(key)
        return current[index] if index < len(current) else _MISSING
    if delimiter == DICT_SPLIT:
        if not isinstance(current, dict) or key not in current:
            return _MISSING
        return current[key]
    if isinstance(current, PinObject):
        return current.get(key, _MISSING)
    if isinstance(current, dict):
        return _MISSING  # attributes of a plain dict are its methods, never data
    return getattr(current, key, _MISSING)


# ---------------------------------------------------------------- input side


def merge_execution_input(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` with every flattened pin also assembled under its base name.

    Keys apply in insertion order; a key whose step needs another container kind
    (a dict key on what was a list) replaces that container. Missing list slots are
    None. The flattened keys stay, as upstream stores both forms.
    """
    merged = dict(data)
    rebuilt: dict[str, Any] = {}
    for key, value in data.items():
        cut = _first_delimiter(key)
        if cut <= 0:
            continue
        base, steps = key[:cut], list(_path_steps(key[cut:]))
        for delimiter, step_key in steps:
            if delimiter == LIST_SPLIT and not step_key.isdigit():
                raise ValueError(f"Invalid key: {key}: index must be an integer")
        start = rebuilt[base] if base in rebuilt else _copy_container(merged.get(base))
        rebuilt[base] = _assign(start, steps, value)
    merged.update(rebuilt)
    return merged


def _copy_container(value: Any) -> Any:
    # Deep: later keys write into nested containers, and the caller's data stays intact.
    if isinstance(value, list | dict | PinObject):
        return copy.deepcopy(value)
    return None


def _assign(container: Any, steps: list[tuple[str, str]], value: Any) -> Any:
    """Set ``value`` at ``steps`` inside ``container`` (created or replaced as needed)."""
    if not steps:
        return value
    (delimiter, key), rest = steps[0], steps[1:]
    if delimiter == LIST_SPLIT:
        items = container if isinstance(container, list) else []
        index = int(key)
        items.extend([None] * (index + 1 - len(items)))
        items[index] = _assign(items[index], rest, value)
        return items
    if delimiter == DICT_SPLIT:
        mapping = container if isinstance(container, dict) else {}
        mapping[key] = _assign(mapping.get(key), rest, value)
        return mapping
    obj = container if isinstance(container, PinObject) else PinObject()
    obj[key] = _assign(obj.get(key), rest, value)
    return obj
