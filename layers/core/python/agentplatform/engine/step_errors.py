"""Step Functions error objects (what a Catch puts at ``$.error``) as messages people read."""

from __future__ import annotations

import contextlib
import json
from typing import Any

# The Error name of failures the engine decides itself (a limit reached): Cause is the message.
RUN_FAILED = "GraphRunFailed"


def error_message(error: dict[str, Any]) -> str:
    """``"<Error>: <message>"``; a Lambda's Cause is its JSON error, whose message is used."""
    name = str(error.get("Error") or "Error")
    cause: Any = error.get("Cause") or ""
    with contextlib.suppress(ValueError, AttributeError, TypeError):
        cause = json.loads(cause).get("errorMessage", cause)
    if name == RUN_FAILED:
        return str(cause)
    return f"{name}: {cause}" if cause else name
