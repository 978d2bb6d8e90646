"""Channel keys, exactly as AutoGPT's connection manager names them.

The user id prefix is the isolation boundary: events are routed by the event's own
``user_id``, so subscribing to another user's execution id yields a channel that
never receives anything.
"""

from __future__ import annotations


def graph_exec_channel(user_id: str, graph_exec_id: str) -> str:
    return f"{user_id}|graph_exec#{graph_exec_id}"


def graph_execs_channel(user_id: str, graph_id: str) -> str:
    return f"{user_id}|graph#{graph_id}|executions"
