"""JSON-schema validation with compiled validators cached per schema object."""

from __future__ import annotations

from typing import Any

_validators: dict[int, tuple[dict[str, Any], Any]] = {}


def validation_error(value: Any, schema: dict[str, Any]) -> str | None:
    """Return the first validation error message, or None when ``value`` is valid."""
    from jsonschema import Draft202012Validator  # deferred: ~40 ms import

    cached = _validators.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, Draft202012Validator(schema))
        _validators[id(schema)] = cached
    error = next(iter(cached[1].iter_errors(value)), None)
    return None if error is None else error.message
