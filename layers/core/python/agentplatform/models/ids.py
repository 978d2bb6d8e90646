"""Fresh record ids, kept apart from the graph models so that importing one costs nothing."""

from __future__ import annotations

import uuid


def new_id() -> str:
    return str(uuid.uuid4())
