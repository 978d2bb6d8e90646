"""Key builders for the single table. Every pk/sk in the system is made here.

Everything a user owns lives in that user's partition (``USER#<id>``), so a query for
another user's id cannot even address their items: ownership is structural.
"""

from __future__ import annotations

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
