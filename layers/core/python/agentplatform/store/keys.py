"""Key builders for the single table. Every pk/sk in the system is made here.

Everything a user owns lives in that user's partition (``USER#<id>``), so a query for
another user's id cannot even address their items: ownership is structural.
"""

from __future__ import annotations

import zlib

PROFILE = "PROFILE"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def graph_meta_sk(graph_id: str) -> str:
    return f"GRAPH#{graph_id}"


GRAPH_META_PREFIX = "GRAPH#"


def graph_version_sk(graph_id: str, version: int) -> str:
    # Zero-padded so versions sort numerically within the partition.
    return f"GRAPHV#{graph_id}#{version:08d}"


def graph_versions_prefix(graph_id: str) -> str:
    return f"GRAPHV#{graph_id}#"


CREDENTIALS_PREFIX = "CRED#"


def credentials_sk(credentials_id: str) -> str:
    return f"{CREDENTIALS_PREFIX}{credentials_id}"


# Graph executions: each run is one partition, so its items (the run, its node
# executions, its sinks' routing state) stream in order and one query reads them all.
# The owner's id is in the key, so another user's id cannot address the run.
def graph_exec_pk(user_id: str, graph_exec_id: str) -> str:
    return f"GEXEC#{user_id}#{graph_exec_id}"


GRAPH_EXEC_SK = "RUN"
NODE_EXEC_PREFIX = "NEXEC#"
SINK_STATE_PREFIX = "SINK#"
CHILD_EXEC_PREFIX = "CHILD#"


def node_exec_sk(node_exec_id: str) -> str:
    return f"{NODE_EXEC_PREFIX}{node_exec_id}"


def sink_state_sk(node_id: str) -> str:
    return f"{SINK_STATE_PREFIX}{node_id}"


def child_exec_sk(child_exec_id: str) -> str:
    return f"{CHILD_EXEC_PREFIX}{child_exec_id}"


def user_execs_gsi1pk(user_id: str) -> str:
    return f"GEXECS#{user_id}"


def graph_execs_gsi2pk(user_id: str, graph_id: str) -> str:
    return f"GEXECS#{user_id}#{graph_id}"


def execs_gsi_sk(created_at: str, graph_exec_id: str) -> str:
    return f"{created_at}#{graph_exec_id}"


def share_pk(share_token: str) -> str:
    return f"SHARE#{share_token}"


SHARE_SK = "SHARE"


def kv_sk(key: str) -> str:
    """Persist/Retrieve blocks' per-user value (in the user's partition)."""
    return f"KV#{key}"


def spilled_value_key(graph_exec_id: str, value_id: str) -> str:
    """S3 object key of a value too large for the table."""
    return f"values/{graph_exec_id}/{value_id}.json"


# ------------------------------------------------- WebSocket connections and events

CONNECTION_SK = "META"
EVENT_LOG_HEAD_SK = "HEAD"
EVENT_SEQ_PREFIX = "SEQ#"


def connection_pk(connection_id: str) -> str:
    return f"WSCONN#{connection_id}"


def channel_pk(channel: str) -> str:
    """Subscribers of one channel; the channel key already starts with the user id."""
    return f"WSCHAN#{channel}"


def subscription_sk(connection_id: str) -> str:
    return f"WSCONN#{connection_id}"


def event_log_pk(user_id: str, graph_exec_id: str) -> str:
    """A run's replay buffer, addressable only together with its owner's id."""
    return f"EVLOG#{user_id}#{graph_exec_id}"


def event_seq_sk(seq: int) -> str:
    # Zero-padded so a range condition on the sort key is a range of sequence numbers.
    return f"{EVENT_SEQ_PREFIX}{seq:012d}"


# ------------------------------------------------- run admission and reconciliation

# Runs in flight are spread over this many index partitions (the reconciler reads all).
ACTIVE_RUN_SHARDS = 4


def active_run_gsi3pk(graph_exec_id: str) -> str:
    return f"ACTIVE#{zlib.crc32(graph_exec_id.encode()) % ACTIVE_RUN_SHARDS}"


def active_run_shards() -> list[str]:
    return [f"ACTIVE#{shard}" for shard in range(ACTIVE_RUN_SHARDS)]


def active_run_gsi3sk(created_at: str, graph_exec_id: str) -> str:
    return f"{created_at}#{graph_exec_id}"


def run_queue_pk(user_id: str, graph_id: str) -> str:
    """One (user, graph)'s run slots and its runs waiting for one, oldest first."""
    return f"RUNQ#{user_id}#{graph_id}"


RUN_SLOTS_SK = "SLOTS"
WAITING_RUN_PREFIX = "WAIT#"


def waiting_run_sk(created_at: str, graph_exec_id: str) -> str:
    return f"{WAITING_RUN_PREFIX}{created_at}#{graph_exec_id}"
