"""The cyclic garbage collector during a Lambda's INIT.

INIT allocates a few hundred thousand objects (modules, pydantic models and their
validators, FastAPI routes) and frees almost none of them, yet the collector walks the
growing heap whenever a generation fills: at least one full collection per cold start,
tens of milliseconds of its CPU (``bench/cold_start.py``). ``functions/__init__.py``
pauses the collector before anything else is imported, and wrapping the handler
(``observability.instrument``) ends the pause, first moving everything INIT made to the permanent generation
(``gc.freeze``) so that collections during requests do not walk it either.
"""

from __future__ import annotations

import gc


def pause_collector() -> None:
    gc.disable()


def end_of_init() -> None:
    """Freeze INIT's objects and collect again; nothing when no pause is on (tests, a
    local cloud that loads a second domain)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
