"""AutoGPT's wire shapes, as ordered key lists (spec §2.2): one definition for REST and
WebSocket tests alike."""

GRAPH_EXECUTION_META_KEYS = [
    "id",
    "user_id",
    "graph_id",
    "graph_version",
    "inputs",
    "credential_inputs",
    "nodes_input_masks",
    "preset_id",
    "status",
    "started_at",
    "ended_at",
    "is_shared",
    "share_token",
    "stats",
]
NODE_EXECUTION_RESULT_KEYS = [
    "user_id",
    "graph_id",
    "graph_version",
    "graph_exec_id",
    "node_exec_id",
    "node_id",
    "block_id",
    "status",
    "input_data",
    "output_data",
    "add_time",
    "queue_time",
    "start_time",
    "end_time",
]
