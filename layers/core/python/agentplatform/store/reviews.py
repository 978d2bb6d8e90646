"""Pending human reviews (spec §3.9) and the run's pause for them.

A review is ``REVIEW#<node exec id>`` in its run's partition (``GEXEC#<user>#<run>``),
so a run's reviews are one consistent query, with a pointer ``REVIEW#<node exec id>`` in
the owner's partition (a review action names node executions only: one consistent batch
read finds their runs, and another user's ids find nothing). While WAITING a review
carries the sparse ``gsi1`` keys of its owner's pending list. ``AUTOAPPROVE#<node id>``
in the run's partition is a standing approval of one node for the rest of the run.

The run item itself records the pause: RUNNING -> REVIEW with the state machine's
payload (``paused``) and out of the active-runs index (no execution runs while it
waits, so the reconciler has nothing to check); REVIEW -> RUNNING on resume, as the
next execution part, back in the index.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from agentplatform.models.execution import ExecutionStatus
from agentplatform.models.review import PendingHumanReviewModel, ReviewStatus
from agentplatform.store import keys, values
from agentplatform.store.executions import RunRef, now
from agentplatform.store.library import LibraryRepository
from agentplatform.store.table import Table, is_condition_failure, pack, put_op, unpack, update_op

REVIEW_TYPE = "review"
STOPPED_MESSAGE = "Execution was stopped by user"
AUTO_APPROVED_MESSAGE = "Auto-approved (user approved all future actions for this node)"


@dataclass(frozen=True)
class Decision:
    """What a reviewer decided for one waiting review."""

    node_exec_id: str
    status: ReviewStatus
    message: str | None
    payload: Any  # the data to continue with: edited, or as it was
    was_edited: bool


def review_model(item: dict[str, Any]) -> PendingHumanReviewModel:
    def stamp(name: str) -> datetime | None:
        return datetime.fromisoformat(item[name]).astimezone(UTC) if item.get(name) else None

    return PendingHumanReviewModel(
        node_exec_id=item["node_exec_id"],
        node_id=item["node_id"],
        user_id=item["user_id"],
        graph_exec_id=item["graph_exec_id"],
        graph_id=item["graph_id"],
        graph_version=int(item["graph_version"]),
        payload=review_payload(item),
        instructions=item.get("instructions"),
        editable=bool(item["editable"]),
        status=ReviewStatus(item["status"]),
        review_message=item.get("review_message"),
        was_edited=item.get("was_edited"),
        processed=bool(item.get("processed")),
        created_at=stamp("created_at") or datetime.now(UTC),
        updated_at=stamp("updated_at"),
        reviewed_at=stamp("reviewed_at"),
    )


def review_payload(item: dict[str, Any]) -> Any:
    return values.load(unpack(item["payload"]))


class ReviewRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # -- the engine's side

    def create(
        self,
        ref: RunRef,
        run: dict[str, Any],
        node_exec: dict[str, Any],
        *,
        payload: Any,
        instructions: str,
        editable: bool,
    ) -> None:
        """A WAITING review of ``node_exec`` and its owner's pointer; a no-op if it exists."""
        at, node_exec_id = now(), str(node_exec["node_exec_id"])
        review = {
            "pk": ref.pk,
            "sk": keys.review_sk(node_exec_id),
            "type": REVIEW_TYPE,
            "node_exec_id": node_exec_id,
            "node_id": node_exec["node_id"],
            "user_id": ref.user_id,
            "graph_exec_id": ref.graph_exec_id,
            "graph_id": run["graph_id"],
            "graph_version": int(run["graph_version"]),
            "payload": pack(values.spill(payload, ref.graph_exec_id)),
            "instructions": instructions,
            "editable": editable,
            "status": ReviewStatus.WAITING.value,
            "processed": False,
            "created_at": at,
            "updated_at": at,
            "gsi1pk": keys.waiting_reviews_gsi1pk(ref.user_id),
            "gsi1sk": keys.waiting_reviews_gsi1sk(at, node_exec_id),
        }
        pointer = {
            "pk": keys.user_pk(ref.user_id),
            "sk": keys.review_pointer_sk(node_exec_id),
            "graph_exec_id": ref.graph_exec_id,
        }
        try:
            self.table.transact(
                [put_op(review, "attribute_not_exists(pk)"), put_op(pointer, "attribute_not_exists(pk)")]
            )
        except Exception as exc:
            if not is_condition_failure(exc):
                raise

    def lookup(self, ref: RunRef, node_exec_id: str, node_id: str) -> tuple[dict[str, Any] | None, bool]:
        """The node execution's review (if any) and whether its node is auto-approved."""
        found = {
            item["sk"]: item
            for item in self.table.batch_get(
                [(ref.pk, keys.review_sk(node_exec_id)), (ref.pk, keys.auto_approve_sk(node_id))],
                consistent=True,
            )
        }
        return found.get(keys.review_sk(node_exec_id)), keys.auto_approve_sk(node_id) in found

    def mark_processed(self, ref: RunRef, node_exec_id: str) -> None:
        self.table.update(
            ref.pk,
            keys.review_sk(node_exec_id),
            "SET #processed = :yes, updated_at = :now",
            condition="attribute_exists(pk)",
            names={"#processed": "processed"},
            values={":yes": True, ":now": now()},
        )

    # -- the API's side

    def waiting_for_user(self, user_id: str, page: int, page_size: int) -> list[dict[str, Any]]:
        """One page of the user's WAITING reviews, newest first (one query)."""
        items = list(
            self.table.query(
                keys.waiting_reviews_gsi1pk(user_id), index="gsi1", forward=False, limit=page * page_size
            )
        )
        return items[(page - 1) * page_size :]

    def for_run(self, ref: RunRef) -> list[dict[str, Any]]:
        """Every review of the run, oldest first (a consistent query)."""
        items = list(self.table.query(ref.pk, prefix=keys.REVIEW_PREFIX, consistent=True))
        return sorted(items, key=lambda item: (item["created_at"], item["node_exec_id"]))

    def runs_of(self, user_id: str, node_exec_ids: Iterable[str]) -> dict[str, str]:
        """node exec id -> run id, for the user's reviews among ``node_exec_ids``."""
        pointers = self.table.batch_get(
            [(keys.user_pk(user_id), keys.review_pointer_sk(i)) for i in node_exec_ids], consistent=True
        )
        return {item["sk"][len(keys.REVIEW_PREFIX) :]: item["graph_exec_id"] for item in pointers}

    def decide(self, ref: RunRef, decisions: list[Decision]) -> bool:
        """Record every decision in one transaction, each only if still WAITING; False
        (nothing written) if any was decided meanwhile."""
        at = now()
        ops = [self._decide_op(ref, decision, at) for decision in decisions]
        try:
            self.table.transact(ops)
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    @staticmethod
    def _decide_op(ref: RunRef, decision: Decision, at: str) -> dict[str, Any]:
        expr_values = {
            ":status": decision.status.value,
            ":edited": decision.was_edited,
            ":payload": pack(values.spill(decision.payload, ref.graph_exec_id)),
            ":at": at,
            ":waiting": ReviewStatus.WAITING.value,
        }
        sets = "#status = :status, was_edited = :edited, #payload = :payload"
        sets += ", reviewed_at = :at, updated_at = :at"
        removes = "gsi1pk, gsi1sk"
        if decision.message is None:
            removes += ", review_message"
        else:
            sets += ", review_message = :message"
            expr_values[":message"] = decision.message
        return update_op(
            ref.pk,
            keys.review_sk(decision.node_exec_id),
            f"SET {sets} REMOVE {removes}",
            "#status = :waiting",
            names={"#status": "status", "#payload": "payload"},
            values=expr_values,
        )

    def approve_node(self, ref: RunRef, node_id: str) -> None:
        """Approve the node's later executions in this run without asking."""
        self.table.put({"pk": ref.pk, "sk": keys.auto_approve_sk(node_id), "created_at": now()})

    def cancel_waiting(self, ref: RunRef) -> int:
        """Reject the run's WAITING reviews as stopped; returns how many."""
        cancelled = 0
        for item in self.for_run(ref):
            if item["status"] != ReviewStatus.WAITING.value:
                continue
            try:
                self.table.update(
                    ref.pk,
                    item["sk"],
                    "SET #status = :rejected, review_message = :message, #processed = :yes, "
                    "reviewed_at = :at, updated_at = :at REMOVE gsi1pk, gsi1sk",
                    condition="#status = :waiting",
                    names={"#status": "status", "#processed": "processed"},
                    values={
                        ":rejected": ReviewStatus.REJECTED.value,
                        ":message": STOPPED_MESSAGE,
                        ":yes": True,
                        ":at": now(),
                        ":waiting": ReviewStatus.WAITING.value,
                    },
                )
            except Exception as exc:
                if not is_condition_failure(exc):
                    raise
                continue
            cancelled += 1
        return cancelled

    # -- the run's pause

    def pause_run(self, ref: RunRef, state: dict[str, Any]) -> dict[str, Any] | None:
        """RUNNING -> REVIEW, keeping the state machine's ``state`` to resume from. The
        run gives its slot back in the same write: a run waiting on a person holds none
        (upstream counts only RUNNING runs against the cap). None if the run is no longer
        RUNNING (stopped meanwhile)."""
        run = self.table.get(ref.pk, keys.GRAPH_EXEC_SK, consistent=True)
        if run is None:
            return None
        slot = -1 if run.get("slot") else 0
        return self._run_transition(
            ref,
            run,
            (ExecutionStatus.RUNNING, ExecutionStatus.REVIEW),
            "#paused = :paused, paused_at = :at REMOVE gsi3pk, gsi3sk" + (", slot" if slot else ""),
            {":paused": json.dumps(state), ":at": now()},
            slot,
        )

    def resume_run(self, ref: RunRef, run: dict[str, Any]) -> dict[str, Any] | None:
        """REVIEW -> RUNNING as the next execution part, back in the active-runs index and
        holding a slot again (not a sub-graph run: those never hold one; nor a run paused
        before pauses gave slots back, which still holds its own). The slot is taken at
        once, even past the cap: the person has decided, and new runs wait until the
        count is under the cap again. None if another request resumed (or a stop ended)
        it first."""
        slot = 0 if run.get("parent") or run.get("slot") else 1
        return self._run_transition(
            ref,
            run,
            (ExecutionStatus.REVIEW, ExecutionStatus.RUNNING),
            "#part = :part, launched_at = :at, gsi3pk = :active, gsi3sk = :order"
            + (", slot = :taken" if slot else "")
            + " REMOVE #paused",
            {
                ":part": int(run.get("part", 0) or 0) + 1,
                ":at": now(),
                ":active": keys.active_run_gsi3pk(ref.graph_exec_id),
                ":order": keys.active_run_gsi3sk(run["created_at"], ref.graph_exec_id),
                **({":taken": True} if slot else {}),
            },
            slot,
        )

    def _run_transition(
        self,
        ref: RunRef,
        run: dict[str, Any],
        move: tuple[ExecutionStatus, ExecutionStatus],
        changes: str,
        expr_values: dict[str, Any],
        slot: int,
    ) -> dict[str, Any] | None:
        """Guarded ``move`` (current -> target) with ``changes`` (more SET clauses, then any
        REMOVE); with ``slot`` (-1 or 1) the (user, graph)'s slot count moves with it."""
        current, target = move
        condition = "#status = :current"
        if slot:
            condition += " AND attribute_exists(slot)" if slot < 0 else " AND attribute_not_exists(slot)"
        names = {"#status": "status", "#paused": "paused"}
        if "#part" in changes:
            names["#part"] = "part"
        values = {":target": target.value, ":current": current.value, **expr_values}
        update = f"SET #status = :target, {changes}"
        try:
            if slot:
                slots = keys.run_queue_pk(ref.user_id, run["graph_id"])
                self.table.transact(
                    [
                        update_op(ref.pk, keys.GRAPH_EXEC_SK, update, condition, names=names, values=values),
                        update_op(slots, keys.RUN_SLOTS_SK, "ADD running :delta", values={":delta": slot}),
                    ]
                )
                moved = self.table.get(ref.pk, keys.GRAPH_EXEC_SK, consistent=True)
                item = moved or {**run, "status": target.value}
            else:
                item = self.table.update(
                    ref.pk, keys.GRAPH_EXEC_SK, update, condition=condition, names=names, values=values
                )
        except Exception as exc:
            if is_condition_failure(exc):
                return None
            raise
        LibraryRepository(self.table).record_run(item)
        return item
