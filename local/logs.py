"""What the local cloud prints: the Lambdas' own log records, as readable lines or JSON.

The handlers log exactly what they log in AWS (``agentplatform.observability``): one
line per request, per run status change and per failed node, with correlation keys.
``text`` (the default) renders each record as one short line; ``json`` leaves the
structured form CloudWatch receives, EMF metrics included.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

FORMATS = ("text", "json")
# key in the record -> label on the line; ids stay whole so they can be pasted into the CLI
_SHOWN = (("graph_exec_id", "run"), ("node_id", "node"), ("block_id", "block"), ("user_id", "user"))
_IDS = ("graph_exec_id", "node_id")  # not repeated when the message names them
_USER_CHARS = 8


def _block_name(block_id: str) -> str:
    from agentplatform.blocks.registry import get_block

    block = get_block(block_id)
    return block.name if block is not None else block_id


def readable(log: dict[str, Any]) -> str:
    """``HH:MM:SS LEVEL message  key=value ...`` (then the stack trace, if any)."""
    message = str(log.get("message", ""))
    extras = []
    for key, label in _SHOWN:
        value = log.get(key)
        if value is None or (key in _IDS and str(value) in message):
            continue
        if key == "block_id":
            value = _block_name(str(value))
        elif key == "user_id":
            value = str(value)[:_USER_CHARS]
        extras.append(f"{label}={value}")
    clock = datetime.now().strftime("%H:%M:%S")
    line = f"{clock} {log.get('level', '')!s:<7} {message}"
    if extras:
        line += "  " + " ".join(extras)
    if log.get("exception"):
        line += "\n" + str(log["exception"])
    return line


class ReadableFormatter(LambdaPowertoolsFormatter):
    """Powertools' formatter (same keys, same record handling) printing ``readable`` lines."""

    def serialize(self, log: dict[str, Any]) -> str:  # type: ignore[override]
        return readable(log)


def configure(log_format: str) -> None:
    """Choose the local cloud's log format (before the first handler runs)."""
    if log_format not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}")
    from agentplatform.observability import logger

    if log_format == "json":
        return
    # Metrics are EMF JSON lines: only the structured form shows them.
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    logger.registered_handler.setFormatter(ReadableFormatter())
