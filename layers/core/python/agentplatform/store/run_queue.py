"""Run slots and the line of runs waiting for one, per (user, graph) (spec §3.7).

Partition ``RUNQ#<user>#<graph>`` holds ``SLOTS`` (``running``: runs admitted and not yet
ended) and one ``WAIT#<created>#<run>`` entry per run waiting for a slot, oldest first.
Admitting a run is one transaction: take a slot while fewer than the cap are taken,
remove its waiting entry, mark the run admitted (``slot``, ``launched_at``). The slot
comes back in the same transaction as the run's terminal status
(``ExecutionRepository.end_run``), so it is returned exactly once.

A queued run also enters the sparse active-runs index (``gsi3``) until it ends: the
reconciler's way to every run in flight without a scan.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from agentplatform.models.execution import ExecutionStatus
from agentplatform.store import keys
from agentplatform.store.executions import RunRef, cancellation_codes, now
from agentplatform.store.table import Table, delete_op, is_condition_failure, put_op, update_op


class Admission(enum.Enum):
    ADMITTED = "admitted"
    FULL = "full"  # every slot is taken: the run waits on
    GONE = "gone"  # no longer waiting (admitted by someone else, or stopped)


@dataclass(frozen=True)
class WaitingRun:
    ref: RunRef
    graph_id: str
    graph_version: int
    sk: str


class RunQueue:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def enqueue(self, ref: RunRef, run: dict[str, Any], *, capped: bool) -> bool:
        """Guarded INCOMPLETE -> QUEUED, into the active-runs index. A ``capped`` run gets
        in line for a slot; any other (a sub-graph run) is admitted at once. False when
        the guard refused (queued already)."""
        values: dict[str, Any] = {
            ":queued": ExecutionStatus.QUEUED.value,
            ":incomplete": ExecutionStatus.INCOMPLETE.value,
            ":active": keys.active_run_gsi3pk(ref.graph_exec_id),
            ":order": keys.active_run_gsi3sk(run["created_at"], ref.graph_exec_id),
        }
        update = "SET #status = :queued, gsi3pk = :active, gsi3sk = :order"
        if capped:
            values[":line"] = keys.waiting_run_sk(run["created_at"], ref.graph_exec_id)
            update += ", waiting_sk = :line"
        else:
            values[":at"] = now()
            update += ", launched_at = :at"
        guard = "#status = :incomplete"
        names = {"#status": "status"}
        try:
            if capped:
                self.table.transact(
                    [
                        update_op(ref.pk, keys.GRAPH_EXEC_SK, update, guard, names=names, values=values),
                        put_op(_waiting_entry(ref, run), "attribute_not_exists(pk)"),
                    ]
                )
            else:
                self.table.update(
                    ref.pk, keys.GRAPH_EXEC_SK, update, condition=guard, names=names, values=values
                )
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def oldest(self, user_id: str, graph_id: str) -> WaitingRun | None:
        pk = keys.run_queue_pk(user_id, graph_id)
        for item in self.table.query(pk, prefix=keys.WAITING_RUN_PREFIX, limit=1, consistent=True):
            ref = RunRef(item["user_id"], item["graph_exec_id"])
            return WaitingRun(ref, item["graph_id"], int(item["graph_version"]), item["sk"])
        return None

    def admit(self, waiting: WaitingRun, cap: int) -> Admission:
        pk = keys.run_queue_pk(waiting.ref.user_id, waiting.graph_id)
        ops = [
            update_op(
                pk,
                keys.RUN_SLOTS_SK,
                "ADD running :one",
                "attribute_not_exists(running) OR running < :cap",
                values={":one": 1, ":cap": cap},
            ),
            delete_op(pk, waiting.sk, "attribute_exists(pk)"),
            update_op(
                waiting.ref.pk,
                keys.GRAPH_EXEC_SK,
                "SET slot = :yes, launched_at = :at REMOVE waiting_sk",
                "#status = :queued AND attribute_not_exists(slot)",
                names={"#status": "status"},
                values={":yes": True, ":at": now(), ":queued": ExecutionStatus.QUEUED.value},
            ),
        ]
        try:
            self.table.transact(ops)
        except Exception as exc:
            if not is_condition_failure(exc):
                raise
            codes = cancellation_codes(exc)
            if codes and codes[0] == "ConditionalCheckFailed":
                return Admission.FULL
            if len(codes) > 2 and codes[2] == "ConditionalCheckFailed":
                self.table.delete(pk, waiting.sk)  # its run ended while it waited
            return Admission.GONE
        return Admission.ADMITTED


def _waiting_entry(ref: RunRef, run: dict[str, Any]) -> dict[str, Any]:
    return {
        "pk": keys.run_queue_pk(ref.user_id, run["graph_id"]),
        "sk": keys.waiting_run_sk(run["created_at"], ref.graph_exec_id),
        "type": "waiting_run",
        "user_id": ref.user_id,
        "graph_exec_id": ref.graph_exec_id,
        "graph_id": run["graph_id"],
        "graph_version": run["graph_version"],
    }
