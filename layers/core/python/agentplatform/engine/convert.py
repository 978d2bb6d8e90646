"""Best-effort coercion of a value to a Python type annotation (AutoGPT's ``convert``).

The engine applies it to node inputs whose type differs from the pin's annotation
before JSON-schema validation, so a link carrying ``"5.5"`` into an ``int`` pin
delivers ``5``. The rules are deliberately forgiving: a number that cannot be parsed
becomes 0, a collection converted to a number becomes its length.
"""

from __future__ import annotations

import json
import types
from typing import Any, Union, get_args, get_origin

_CONVERTIBLE = (list, dict, tuple, set, str, int, float, bool)


class ConversionError(ValueError):
    """The value cannot be turned into the target type at all."""


def convert(value: Any, target_type: Any) -> Any:
    """Coerce ``value`` to ``target_type`` (a type or a typing generic like ``list[int]``)."""
    try:
        return _convert(_plain(value), target_type)
    except ConversionError:
        raise
    except Exception as exc:
        raise ConversionError(f"Failed to convert {value!r} to {target_type}") from exc


def type_matches(value: Any, target_type: Any) -> bool:
    """Whether ``value`` already has the (outer) type ``target_type`` asks for."""
    origin = get_origin(target_type) or target_type
    if origin is Any:
        return True
    if _is_union(origin):
        return any(type_matches(value, arg) for arg in get_args(target_type))
    if origin is type(None):
        return value is None
    if not isinstance(origin, type):
        return True
    return isinstance(value, origin)


def _plain(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    return dump() if callable(dump) else value


def _is_union(origin: Any) -> bool:
    return origin is Union or origin is types.UnionType


def _convert(value: Any, target_type: Any) -> Any:
    if target_type is Any or target_type is None:
        return value
    origin = get_origin(target_type) or target_type
    args = get_args(target_type)
    if _is_union(origin):
        return _convert_union(value, args)
    if origin not in _CONVERTIBLE:
        # Models, enums, dates, literals: left to schema validation downstream.
        return value
    if not isinstance(value, origin):
        value = _to_origin(value, origin)
    return _convert_items(value, origin, args)


def _convert_union(value: Any, args: tuple[Any, ...]) -> Any:
    options = [arg for arg in args if arg is not type(None)]
    if value is None and len(options) < len(args):
        return None
    for option in options:
        if type_matches(value, option):
            return _convert(value, option)
    return _convert(value, options[0]) if options else value


def _convert_items(value: Any, origin: type, args: tuple[Any, ...]) -> Any:
    if not args:
        return value
    if origin is list:
        return [_convert(item, args[0]) for item in value]
    if origin is set:
        return {_convert(item, args[0]) for item in value}
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(item, args[0]) for item in value)
        return tuple(_convert(item, arg) for item, arg in zip(value, args, strict=False))
    if origin is dict and len(args) == 2:
        return {_convert(k, args[0]): _convert(v, args[1]) for k, v in value.items()}
    return value


def _to_origin(value: Any, origin: type) -> Any:
    if origin is list:
        return _to_list(value)
    if origin is tuple:
        return tuple(_to_list(value))
    if origin is set:
        return set(_to_list(value))
    if origin is dict:
        return _to_dict(value)
    if origin is str:
        return _to_str(value)
    if origin is bool:
        return _to_bool(value)
    return _to_number(value, origin)


def _to_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple | set):
        return list(value)
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("[") and text.endswith("]"):
            try:
                parsed = json.loads(text)
            except ValueError:
                return [value]
            return parsed if isinstance(parsed, list) else [value]
    return [value]


def _to_dict(value: Any) -> dict[Any, Any]:
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {"value": value}
        return parsed if isinstance(parsed, dict) else {"value": parsed}
    if isinstance(value, list | tuple):
        return dict(enumerate(value))
    return {"value": value}


def _to_str(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return str(value)


def _to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def _to_number(value: Any, number_type: type) -> Any:
    if isinstance(value, list | dict | tuple | set):
        return number_type(len(value))
    try:
        return number_type(float(value))
    except (TypeError, ValueError, OverflowError):
        return number_type(0)
