"""The platform's own notification producers: a hook per place something happens.

Each hook returns at once when notifications are off, never raises (a notification
must not fail a run, a charge or a refund) and names its event after what happened, so
a retried Lambda publishes the same id and the consumer acts once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from agentplatform.config import get_settings

if TYPE_CHECKING:
    from agentplatform.errors import InsufficientBalanceError
    from agentplatform.models.execution import ExecutionStatus, Stats

logger = logging.getLogger(__name__)

# A run with many failing nodes reports the first few (the batch mails them hourly).
MAX_FAILED_NODES_REPORTED = 10
# Room for a run's outputs in an event (SQS takes 256 KB; the email needs far less).
OUTPUTS_BUDGET_BYTES = 64 * 1024
ERROR_TEXT_MAX = 2000


def _enabled() -> bool:
    return bool(get_settings().notifications_queue_url)


@contextmanager
def _never_raises(what: str) -> Iterator[None]:
    try:
        yield
    except Exception as exc:  # the type only: an error's text may quote the event's data
        logger.error("notification for %s not published: %s", what, type(exc).__name__)


def _publish(user_id: str, kind: str, data: dict[str, Any], event_id: str) -> None:
    from agentplatform.models.user import NotificationType
    from agentplatform.notifications import publish

    publish(user_id, NotificationType(kind), data, event_id=event_id)


def billing_link() -> str:
    return f"{get_settings().frontend_base_url}/profile/credits"


# ------------------------------------------------------------------ graph runs


def run_finished(
    run: dict[str, Any], nodes: list[dict[str, Any]], stats: Stats, status: ExecutionStatus
) -> None:
    """``finalize`` ended a run: AGENT_RUN (as upstream, whatever the status) and one
    BLOCK_EXECUTION_FAILED per failed node (the first few). Sub-graph runs are part of
    their parent's run and report nothing of their own."""
    if not _enabled() or run.get("parent"):
        return
    with _never_raises(f"run {run.get('id')}"):
        data = _agent_run_data(run, nodes, stats, status)
        _publish(run["user_id"], "AGENT_RUN", data, f"AGENT_RUN:{run['id']}")
        failed = [n for n in nodes if n.get("status") == "FAILED"][:MAX_FAILED_NODES_REPORTED]
        for node in failed:
            _publish(
                run["user_id"],
                "BLOCK_EXECUTION_FAILED",
                _block_failed_data(run, node),
                f"BLOCK_EXECUTION_FAILED:{node['node_exec_id']}",
            )


def _agent_name(user_id: str, graph_id: str, version: int) -> str:
    from agentplatform.store.graphs import GraphRepository

    found = GraphRepository().get_versions(user_id, [(graph_id, version)])
    return found[0].name if found and found[0].name else "Unknown Agent"


def _agent_run_data(
    run: dict[str, Any], nodes: list[dict[str, Any]], stats: Stats, status: ExecutionStatus
) -> dict[str, Any]:
    from agentplatform.events.truncate import fit_event, json_size

    data = {
        "agent_name": _agent_name(run["user_id"], run["graph_id"], int(run["graph_version"])),
        "credits_used": stats.cost,
        "execution_time": stats.duration,
        "node_count": stats.node_exec_count,
        "graph_id": run["graph_id"],
        "outputs": _named_outputs(nodes),
        # beyond upstream's shape (extra fields are allowed): which run, and how it ended
        "execution_id": run["id"],
        "status": status.value,
    }
    return fit_event(data, json_size, OUTPUTS_BUDGET_BYTES)


def _outputs(node: dict[str, Any]) -> dict[str, list[Any]]:
    from agentplatform.store import values
    from agentplatform.store.table import unpack

    return values.load_outputs(unpack(node["output"])) if node.get("output") else {}


def _named_outputs(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Upstream's shape: per output block execution, in queue order,
    ``{"output": [...], "name": <name>}``."""
    from agentplatform.blocks.block import BlockType
    from agentplatform.blocks.registry import get_block

    def is_output(node: dict[str, Any]) -> bool:
        block = get_block(node["block_id"])
        return (
            block is not None and block.block_type == BlockType.OUTPUT and node.get("status") != "INCOMPLETE"
        )

    ordered = sorted(
        filter(is_output, nodes),
        key=lambda n: (n.get("queue_time") is None, n.get("queue_time") or n["add_time"]),
    )
    return [
        {key: (value[0] if key == "name" and value else value) for key, value in _outputs(node).items()}
        for node in ordered
    ]


def _block_failed_data(run: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    from agentplatform.blocks.registry import get_block

    block = get_block(node["block_id"])
    errors = _outputs(node).get("error") or ["Unknown error"]
    return {
        "block_name": block.name if block else node["block_id"],
        "block_id": node["block_id"],
        "error_message": str(errors[-1])[:ERROR_TEXT_MAX],
        "graph_id": run["graph_id"],
        "node_id": node["node_id"],
        "execution_id": run["id"],
        "node_exec_id": node["node_exec_id"],
    }


# --------------------------------------------------------------------- credits


def balance_charged(user_id: str, balance: int, charged: int, charge_key: str) -> None:
    """After a charge: LOW_BALANCE when it took the balance below the threshold (as
    upstream, only on the crossing, so a user is told once per descent)."""
    if not _enabled():
        return
    threshold = get_settings().low_balance_threshold
    if not (balance < threshold <= balance + charged):
        return
    with _never_raises(f"low balance of {user_id}"):
        data = {"current_balance": balance, "billing_page_link": billing_link()}
        _publish(user_id, "LOW_BALANCE", data, f"LOW_BALANCE:{charge_key}")


def balance_insufficient(
    user_id: str, graph_id: str, agent_name: str, error: InsufficientBalanceError
) -> None:
    """A charge was refused: ZERO_BALANCE, once per agent until the balance changes
    (upstream: once per agent until a top-up, for 30 days)."""
    if not _enabled():
        return
    with _never_raises(f"zero balance of {user_id}"):
        data = {
            "agent_name": agent_name or "Unknown Agent",
            "current_balance": error.balance,
            "billing_page_link": billing_link(),
            "shortfall": abs(error.amount) - error.balance,
        }
        _publish(user_id, "ZERO_BALANCE", data, f"ZERO_BALANCE:{graph_id}:{error.balance}")


def refund(kind: str, request: dict[str, Any], balance: int) -> None:
    """REFUND_REQUEST (a request waits for review) or REFUND_PROCESSED (credits taken
    back), both to the admin mailbox (``REFUND_NOTIFICATION_EMAIL``). ``request``: the
    refund request's ``id``, ``user_id``, ``transaction_key``, ``reason`` and ``amount``
    (the processed refund's id for REFUND_PROCESSED, as upstream)."""
    if not _enabled():
        return
    user_id = str(request["user_id"])
    with _never_raises(f"refund {request['id']}"):
        from agentplatform.errors import NotFoundError
        from agentplatform.store.users import UserRepository

        try:
            user = UserRepository().get(user_id)
            name, email = user.name, user.email
        except NotFoundError:
            name, email = None, ""
        data = {
            "user_id": user_id,
            "user_name": name or "AutoGPT Platform User",
            "user_email": email,
            "transaction_id": request["transaction_key"],
            "refund_request_id": request["id"],
            "reason": request["reason"],
            "amount": request["amount"],
            "balance": balance,
        }
        _publish(user_id, kind, data, f"{kind}:{request['id']}")


# ------------------------------------------------------------------ marketplace

# Who signs a review when the reviewer has no name or email on record (upstream's name).
DEFAULT_REVIEWER_NAME = "AutoGPT Admin"


def submission_reviewed(listing: dict[str, Any], version: dict[str, Any], approved: bool) -> None:
    """An admin decided on a submitted version: AGENT_APPROVED (with the agent's store
    page) or AGENT_REJECTED (with the builder page to fix it) to its creator, with the
    reviewer's public comments."""
    if not _enabled():
        return
    kind = "AGENT_APPROVED" if approved else "AGENT_REJECTED"
    with _never_raises(f"review of {version['id']}"):
        from agentplatform.errors import NotFoundError
        from agentplatform.store.users import UserRepository

        try:
            reviewer = UserRepository().get(str(version["reviewer_id"]))
            reviewer_name, reviewer_email = reviewer.name or DEFAULT_REVIEWER_NAME, reviewer.email
        except NotFoundError:
            reviewer_name, reviewer_email = DEFAULT_REVIEWER_NAME, ""
        base = get_settings().frontend_base_url
        data: dict[str, Any] = {
            "agent_name": version["name"],
            "agent_id": version["graph_id"],
            "agent_version": int(version["graph_version"]),
            "reviewer_name": reviewer_name,
            "reviewer_email": reviewer_email,
            "comments": version.get("review_comments") or "",
            "reviewed_at": version["reviewed_at"],
        }
        if approved:
            creator = (listing.get("creator") or {}).get("username") or ""
            data["store_url"] = f"{base}/marketplace/agent/{creator}/{listing['slug']}"
        else:
            data["resubmit_url"] = f"{base}/build?flowID={version['graph_id']}"
        _publish(str(listing["owner_user_id"]), kind, data, f"{kind}:{version['id']}")
