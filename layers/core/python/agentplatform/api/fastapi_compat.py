"""Keep FastAPI from importing ``pydantic.v1`` on every cold start.

FastAPI (0.16x) checks each route's models against ``pydantic.v1.BaseModel`` so it can
refuse v1 models, importing ``pydantic.v1`` (~30 ms) to do so, and again when encoding
the first response. A class or instance can only be a v1 model if ``pydantic.v1`` is
already imported, so the checks below answer False without importing it and defer to
FastAPI's own check otherwise. Behaviour is unchanged; only the import is avoided.
"""

from __future__ import annotations

import sys
from typing import Any

_applied = False


def avoid_pydantic_v1_import() -> None:
    global _applied
    if _applied:
        return
    from fastapi import encoders
    from fastapi._compat import shared

    original_class_check = shared.is_pydantic_v1_model_class
    original_instance_check = shared.is_pydantic_v1_model_instance

    def is_v1_class(cls: Any) -> bool:
        return "pydantic.v1" in sys.modules and original_class_check(cls)

    def is_v1_instance(obj: Any) -> bool:
        return "pydantic.v1" in sys.modules and original_instance_check(obj)

    shared.is_pydantic_v1_model_class = is_v1_class
    shared.is_pydantic_v1_model_instance = is_v1_instance
    encoders.is_pydantic_v1_model_instance = is_v1_instance  # bound by name at its import
    _applied = True
