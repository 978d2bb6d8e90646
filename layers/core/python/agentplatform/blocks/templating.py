"""Sandboxed Jinja2 rendering for user-supplied templates (FillTextTemplate, AgentOutput).

Templates come from graph authors, so they run in Jinja2's sandbox with no globals and
without the filters that can leak object internals or build markup.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

_REMOVED_FILTERS = ("pprint", "tojson", "urlize", "xmlattr")


def _format_number(value: Any, fmt: str) -> str:
    return fmt % float(value)


@lru_cache(maxsize=2)
def _environment(autoescape: bool) -> Any:
    from jinja2.sandbox import SandboxedEnvironment  # deferred: only templating blocks pay

    env = SandboxedEnvironment(autoescape=autoescape)
    env.globals.clear()
    for name in _REMOVED_FILTERS:
        env.filters.pop(name, None)
    env.filters["format"] = _format_number
    return env


def render(template: str, values: dict[str, Any], *, autoescape: bool = False) -> str:
    """Render ``template`` with ``values``; Jinja2 errors propagate as TemplateError."""
    return str(_environment(autoescape).from_string(template).render(**values))
