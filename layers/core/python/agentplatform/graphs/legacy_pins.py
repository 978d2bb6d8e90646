"""Input pins that upstream renamed or removed, migrated when a graph is saved.

Older exports still link the old names. Every known change is one entry of
``RENAMED_INPUT_PINS``; saving a graph rewrites its links and saved inputs through it
before validation, which knows nothing of old names.
"""

from __future__ import annotations

from agentplatform.models.graph import BaseGraph

COMBINE_TEXTS = "e30a4d42-7b7d-4e6a-b36e-1f9b8e3b7d85"
READ_DISCORD_MESSAGES = "df06086a-d5ac-4abb-9996-2ad0acb2eff7"
SEND_DISCORD_MESSAGE = "d0822ab5-9f8a-44a3-8971-531dd0178b6b"

# block id -> {old input pin: the pin it is now, or None when it is gone}
RENAMED_INPUT_PINS: dict[str, dict[str, str | None]] = {
    # The texts to combine are the items of the list pin `input`, in order.
    COMBINE_TEXTS: {"input1": "input_$_0", "input2": "input_$_1"},
    # The bot token became the `credentials` field: a stored credential, never a value
    # passed along a link, so links and saved values for it are dropped.
    READ_DISCORD_MESSAGES: {"discord_bot_token": None},
    SEND_DISCORD_MESSAGE: {"discord_bot_token": None},
}


def migrate_legacy_pins(graph: BaseGraph) -> None:
    """Rename (or drop) old pins in ``graph``'s links and nodes' saved inputs, in place."""
    block_of = {node.id: node.block_id for node in graph.nodes}
    for node in graph.nodes:
        renames = RENAMED_INPUT_PINS.get(node.block_id)
        if renames:
            migrated = {}
            for pin, value in node.input_default.items():
                new_name = renames.get(pin, pin)
                if new_name is not None:
                    migrated[new_name] = value
            node.input_default = migrated
    links = []
    for link in graph.links:
        renames = RENAMED_INPUT_PINS.get(block_of.get(link.sink_id, ""), {})
        if link.sink_name in renames:
            new_name = renames[link.sink_name]
            if new_name is None:
                continue
            link.sink_name = new_name
        links.append(link)
    graph.links = links
