"""Graph executions, node executions and routing state (layout: docs/data-model.md).

One partition per run (``GEXEC#<user>#<run>``): the run item (``RUN``), one item per
node execution (``NEXEC#<id>``) and one routing-state item per sink node that needs
one (``SINK#<node>``). Every status change and every output is a write to the run or
node-execution item, whose new image carries the whole event payload.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from agentplatform.aws import client
from agentplatform.engine.routing import NewExecution, RouteResult, SinkState
from agentplatform.engine.statuses import allowed_from
from agentplatform.models.execution import (
    TERMINAL,
    ExecutionStatus,
    GraphExecutionMeta,
    GraphExecutionWithNodes,
    NodeExecutionResult,
    Stats,
)
from agentplatform.store import keys, values
from agentplatform.store.library import LibraryRepository
from agentplatform.store.schema import ACTIVE_RUNS_INDEX
from agentplatform.store.table import (
    Table,
    delete_op,
    is_condition_failure,
    item_size_checked,
    pack,
    put_op,
    unpack,
    update_op,
)

_TRANSACTION_MAX = 100
_END_ATTEMPTS = 5
# What the reconciler reads of each run in flight.
_RECONCILED = ("id", "user_id", "graph_id", "status", "launched_at", "part")
# A node's ``queued`` ids are kept for retries only while they fit comfortably in the
# item; past this the item says ``queued_overflow`` and planning reads QUEUED items.
QUEUED_KEEP_MAX = 1000


def now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class RunRef:
    user_id: str
    graph_exec_id: str

    @property
    def pk(self) -> str:
        return keys.graph_exec_pk(self.user_id, self.graph_exec_id)


def _status_condition(target: ExecutionStatus) -> tuple[str, dict[str, Any]]:
    allowed = allowed_from(target)
    names = [f":from{i}" for i in range(len(allowed))]
    return f"#status IN ({', '.join(names)})", {n: s.value for n, s in zip(names, allowed, strict=True)}


def _unpack_or(item: dict[str, Any], name: str, default: Any) -> Any:
    return unpack(item[name]) if item.get(name) is not None else default


# ---------------------------------------------------------------- item codecs

# The ``type`` of run and node items: the table stream's consumers select on these.
GRAPH_EXEC_TYPE = "graph_exec"
NODE_EXEC_TYPE = "node_exec"


def run_item(
    meta: GraphExecutionMeta, *, created_at: str, parent: dict[str, str] | None = None
) -> dict[str, Any]:
    ref = RunRef(meta.user_id, meta.id)
    return {
        "pk": ref.pk,
        "sk": keys.GRAPH_EXEC_SK,
        "type": GRAPH_EXEC_TYPE,
        "id": meta.id,
        "user_id": meta.user_id,
        "graph_id": meta.graph_id,
        "graph_version": meta.graph_version,
        "status": meta.status.value,
        "inputs": pack(values.spill_pins(meta.inputs or {}, meta.id)),
        "credential_inputs": pack(meta.credential_inputs),
        "nodes_input_masks": pack(meta.nodes_input_masks),
        "preset_id": meta.preset_id,
        "created_at": created_at,
        "is_deleted": False,
        "is_shared": False,
        "parent": parent,
        "gsi1pk": keys.user_execs_gsi1pk(meta.user_id),
        "gsi1sk": keys.execs_gsi_sk(created_at, meta.id),
        "gsi2pk": keys.graph_execs_gsi2pk(meta.user_id, meta.graph_id),
        "gsi2sk": keys.execs_gsi_sk(created_at, meta.id),
    }


def run_meta(item: dict[str, Any], loader: values.ValueLoader | None = None) -> GraphExecutionMeta:
    """The run's meta; ``loader`` decides how spilled inputs come back (default: in full)."""
    stats = _unpack_or(item, "stats", None)
    return GraphExecutionMeta(
        id=item["id"],
        user_id=item["user_id"],
        graph_id=item["graph_id"],
        graph_version=item["graph_version"],
        inputs=(loader or values.ValueLoader()).pins(_unpack_or(item, "inputs", {})),
        credential_inputs=_unpack_or(item, "credential_inputs", None),
        nodes_input_masks=_unpack_or(item, "nodes_input_masks", None),
        preset_id=item.get("preset_id"),
        status=ExecutionStatus(item["status"]),
        started_at=item.get("started_at"),
        ended_at=item.get("ended_at"),
        is_shared=bool(item.get("is_shared")),
        share_token=item.get("share_token"),
        stats=None if stats is None else Stats.model_validate(stats),
    )


def run_outputs(item: dict[str, Any], loader: values.ValueLoader | None = None) -> dict[str, list[Any]]:
    return (loader or values.ValueLoader()).outputs(_unpack_or(item, "outputs", {}))


def node_exec_item(ref: RunRef, run: dict[str, Any], execution: NewExecution, at: str) -> dict[str, Any]:
    status = ExecutionStatus.QUEUED if execution.queued else ExecutionStatus.INCOMPLETE
    return {
        "pk": ref.pk,
        "sk": keys.node_exec_sk(execution.id),
        "type": NODE_EXEC_TYPE,
        "user_id": ref.user_id,
        "graph_id": run["graph_id"],
        "graph_version": run["graph_version"],
        "graph_exec_id": ref.graph_exec_id,
        "node_exec_id": execution.id,
        "node_id": execution.node_id,
        "block_id": execution.block_id,
        "status": status.value,
        "input": pack(values.spill_pins(execution.input, ref.graph_exec_id)),
        "output": pack({}),
        "out_n": 0,
        "queued": [],
        "add_time": at,
        "queue_time": at if execution.queued else None,
    }


def node_input(item: dict[str, Any], *, load: bool = True) -> dict[str, Any]:
    """The node execution's input; with ``load=False`` spilled values stay references."""
    pins = _unpack_or(item, "input", {})
    return values.load_pins(pins) if load else pins


def node_result(item: dict[str, Any], loader: values.ValueLoader | None = None) -> NodeExecutionResult:
    loader = loader or values.ValueLoader()
    return NodeExecutionResult(
        user_id=item["user_id"],
        graph_id=item["graph_id"],
        graph_version=item["graph_version"],
        graph_exec_id=item["graph_exec_id"],
        node_exec_id=item["node_exec_id"],
        node_id=item["node_id"],
        block_id=item["block_id"],
        status=ExecutionStatus(item["status"]),
        input_data=loader.pins(node_input(item, load=False)),
        output_data=loader.outputs(_unpack_or(item, "output", {})),
        add_time=item["add_time"],
        queue_time=item.get("queue_time"),
        start_time=item.get("start_time"),
        end_time=item.get("end_time"),
    )


def sort_node_results(results: Iterable[NodeExecutionResult]) -> list[NodeExecutionResult]:
    return sorted(results, key=lambda r: (r.queue_time is None, r.queue_time or r.add_time))


# ----------------------------------------------------------------- repository


class OutputConflict(Exception):
    """A sink's routing state changed under us; reload and route again."""


class ExecutionRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # -- runs

    def create_run(self, run: dict[str, Any], starting: list[dict[str, Any]]) -> None:
        """The run (INCOMPLETE) and its starting node executions, all or nothing."""
        ops = [put_op(run, "attribute_not_exists(pk)")]
        ops.extend(put_op(item, "attribute_not_exists(pk)") for item in starting)
        for start in range(0, len(ops), _TRANSACTION_MAX):
            self.table.transact(ops[start : start + _TRANSACTION_MAX])

    def get_run(self, ref: RunRef, *, include_deleted: bool = False) -> dict[str, Any] | None:
        item = self.table.get(ref.pk, keys.GRAPH_EXEC_SK, consistent=True)
        if item is None or (item.get("is_deleted") and not include_deleted):
            return None
        return item

    def run_has_ended(self, ref: RunRef) -> bool:
        """Whether the run is in a terminal status (or gone): a consistent read of its status only."""
        item = self.table.get(ref.pk, keys.GRAPH_EXEC_SK, consistent=True, attributes=("status",))
        return item is None or ExecutionStatus(item["status"]) in TERMINAL

    def set_run_status(self, ref: RunRef, target: ExecutionStatus, **fields: Any) -> dict[str, Any] | None:
        """Guarded transition; returns the new item, or None when the guard refused it."""
        condition, guard_values = _status_condition(target)
        sets = ["#status = :status"] + [f"#{name} = :{name}" for name in fields]
        names = {"#status": "status", **{f"#{name}": name for name in fields}}
        expr_values = {":status": target.value, **guard_values, **{f":{k}": v for k, v in fields.items()}}
        try:
            item = self.table.update(
                ref.pk,
                keys.GRAPH_EXEC_SK,
                "SET " + ", ".join(sets),
                condition=f"attribute_exists(pk) AND {condition}",
                names=names,
                values=expr_values,
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return None
            raise
        LibraryRepository(self.table).record_run(item)
        return item

    def end_run(
        self, ref: RunRef, target: ExecutionStatus, current: dict[str, Any] | None = None, **fields: Any
    ) -> dict[str, Any] | None:
        """Guarded move to the terminal ``target``. In the same write the run leaves the
        active-runs index and its waiting line, and gives back its run slot (store/run_queue.py).
        ``current`` is the run as the caller last read it. Returns the ended run, or None
        when the guard refused (it had ended already)."""
        for _ in range(_END_ATTEMPTS):
            run = current or self.get_run(ref, include_deleted=True)
            current = None
            if run is None or ExecutionStatus(run["status"]) not in allowed_from(target):
                return None
            try:
                self._end(ref, run, target, fields)
            except Exception as exc:
                if is_condition_failure(exc):
                    continue  # admitted or ended meanwhile: read it again
                raise
            ended = {**run, "status": target.value, **fields}
            for name in ("gsi3pk", "gsi3sk", "waiting_sk"):
                ended.pop(name, None)
            LibraryRepository(self.table).record_run(ended)
            return ended
        return None

    def _end(self, ref: RunRef, run: dict[str, Any], target: ExecutionStatus, fields: dict[str, Any]) -> None:
        condition, guard_values = _status_condition(target)
        holds_slot = bool(run.get("slot"))
        condition += " AND attribute_exists(slot)" if holds_slot else " AND attribute_not_exists(slot)"
        sets = ["#status = :status"] + [f"#{name} = :{name}" for name in fields]
        end = update_op(
            ref.pk,
            keys.GRAPH_EXEC_SK,
            "SET " + ", ".join(sets) + " REMOVE gsi3pk, gsi3sk, waiting_sk",
            condition,
            names={"#status": "status", **{f"#{name}": name for name in fields}},
            values={":status": target.value, **guard_values, **{f":{k}": v for k, v in fields.items()}},
        )
        queue = keys.run_queue_pk(ref.user_id, run["graph_id"])
        ops = [end]
        if holds_slot:
            ops.append(update_op(queue, keys.RUN_SLOTS_SK, "ADD running :minus", values={":minus": -1}))
        if run.get("waiting_sk"):
            ops.append(delete_op(queue, run["waiting_sk"]))
        if len(ops) == 1:
            client("dynamodb").update_item(TableName=self.table.name, **end["Update"])
        else:
            self.table.transact(ops)

    def set_run_status_from(
        self, ref: RunRef, current: ExecutionStatus, target: ExecutionStatus, **fields: Any
    ) -> dict[str, Any] | None:
        """``current`` -> ``target`` only (a narrower guard than the transition table:
        a run stopped before it started must not be revived by its executor)."""
        sets = ["#status = :status"] + [f"#{name} = :{name}" for name in fields]
        try:
            item = self.table.update(
                ref.pk,
                keys.GRAPH_EXEC_SK,
                "SET " + ", ".join(sets),
                condition="#status = :current",
                names={"#status": "status", **{f"#{name}": name for name in fields}},
                values={
                    ":status": target.value,
                    ":current": current.value,
                    **{f":{k}": v for k, v in fields.items()},
                },
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return None
            raise
        LibraryRepository(self.table).record_run(item)
        return item

    def set_run_fields(self, ref: RunRef, **fields: Any) -> dict[str, Any]:
        sets = ", ".join(f"#{name} = :{name}" for name in fields)
        return self.table.update(
            ref.pk,
            keys.GRAPH_EXEC_SK,
            f"SET {sets}",
            condition="attribute_exists(pk)",
            names={f"#{name}": name for name in fields},
            values={f":{k}": v for k, v in fields.items()},
        )

    def active_runs(self) -> Iterator[dict[str, Any]]:
        """Every run QUEUED or RUNNING (as far as the active-runs index knows), with only
        what the reconciler needs: a query per index shard and a batch read per 100 runs."""
        for shard in keys.active_run_shards():
            found = [(item["pk"], item["sk"]) for item in self.table.query(shard, index=ACTIVE_RUNS_INDEX)]
            for start in range(0, len(found), 100):
                yield from self.table.batch_get(found[start : start + 100], attributes=_RECONCILED)

    def list_runs(self, user_id: str, graph_id: str | None = None) -> list[dict[str, Any]]:
        """Newest first, deleted runs left out."""
        if graph_id is None:
            items = self.table.query(keys.user_execs_gsi1pk(user_id), index="gsi1", forward=False)
        else:
            items = self.table.query(keys.graph_execs_gsi2pk(user_id, graph_id), index="gsi2", forward=False)
        return [item for item in items if not item.get("is_deleted")]

    def soft_delete(self, ref: RunRef) -> bool:
        try:
            self.table.update(
                ref.pk,
                keys.GRAPH_EXEC_SK,
                "SET is_deleted = :t",
                condition="attribute_exists(pk) AND is_deleted = :f",
                values={":t": True, ":f": False},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    # -- sharing

    def share(self, ref: RunRef, token: str) -> None:
        self.table.transact(
            [
                update_op(
                    ref.pk,
                    keys.GRAPH_EXEC_SK,
                    "SET is_shared = :t, share_token = :token, shared_at = :now",
                    "attribute_exists(pk)",
                    values={":t": True, ":token": token, ":now": now()},
                ),
                put_op(
                    {
                        "pk": keys.share_pk(token),
                        "sk": keys.SHARE_SK,
                        "type": "share",
                        "user_id": ref.user_id,
                        "graph_exec_id": ref.graph_exec_id,
                    },
                    "attribute_not_exists(pk)",
                ),
            ]
        )

    def unshare(self, ref: RunRef, token: str | None) -> None:
        self.table.update(
            ref.pk,
            keys.GRAPH_EXEC_SK,
            "SET is_shared = :f REMOVE share_token, shared_at",
            condition="attribute_exists(pk)",
            values={":f": False},
        )
        if token:
            self.table.delete(keys.share_pk(token), keys.SHARE_SK)

    def shared_run(self, token: str) -> dict[str, Any] | None:
        share = self.table.get(keys.share_pk(token), keys.SHARE_SK)
        if share is None:
            return None
        return self.get_run(RunRef(share["user_id"], share["graph_exec_id"]))

    # -- children (sub-graph runs)

    def add_child(self, parent: RunRef, child_exec_id: str, node_exec_id: str) -> None:
        self.table.put(
            {
                "pk": parent.pk,
                "sk": keys.child_exec_sk(child_exec_id),
                "type": "child_exec",
                "child_exec_id": child_exec_id,
                "node_exec_id": node_exec_id,
            }
        )

    def children(self, parent: RunRef) -> list[str]:
        return [i["child_exec_id"] for i in self.table.query(parent.pk, prefix=keys.CHILD_EXEC_PREFIX)]

    # -- node executions

    def node_execs(self, ref: RunRef) -> list[dict[str, Any]]:
        return list(self.table.query(ref.pk, prefix=keys.NODE_EXEC_PREFIX, consistent=True))

    def queued_node_exec_ids(self, ref: RunRef) -> list[str]:
        """Every QUEUED node execution of the run, in queue order (the pending work when
        too many ids to carry in Step Functions payloads)."""
        queued = [n for n in self.node_execs(ref) if n["status"] == ExecutionStatus.QUEUED.value]
        queued.sort(key=lambda n: n.get("queue_time") or n["add_time"])
        return [n["node_exec_id"] for n in queued]

    def get_node_execs(self, ref: RunRef, node_exec_ids: list[str]) -> list[dict[str, Any]]:
        return self.table.batch_get([(ref.pk, keys.node_exec_sk(i)) for i in node_exec_ids])

    def start_node(self, ref: RunRef, node_exec_id: str) -> dict[str, Any] | None:
        """QUEUED -> RUNNING (or resume a RUNNING one after a retry); None if neither."""
        try:
            return self.table.update(
                ref.pk,
                keys.node_exec_sk(node_exec_id),
                "SET #status = :running, start_time = if_not_exists(start_time, :now)",
                condition="#status IN (:queued, :running)",
                names={"#status": "status"},
                values={
                    ":running": ExecutionStatus.RUNNING.value,
                    ":queued": ExecutionStatus.QUEUED.value,
                    ":now": now(),
                },
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return None
            raise

    def set_node_status(
        self, ref: RunRef, node_exec_id: str, target: ExecutionStatus, **fields: Any
    ) -> dict[str, Any] | None:
        condition, guard_values = _status_condition(target)
        sets = ["#status = :status"] + [f"#{name} = :{name}" for name in fields]
        try:
            return self.table.update(
                ref.pk,
                keys.node_exec_sk(node_exec_id),
                "SET " + ", ".join(sets),
                condition=f"attribute_exists(pk) AND {condition}",
                names={"#status": "status", **{f"#{name}": name for name in fields}},
                values={":status": target.value, **guard_values, **{f":{k}": v for k, v in fields.items()}},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return None
            raise

    def terminate_unfinished(self, ref: RunRef, nodes: list[dict[str, Any]]) -> int:
        """TERMINATE every QUEUED or RUNNING node execution among ``nodes`` (the run's,
        as ``node_execs`` read them), updating them in place; returns how many."""
        ended = 0
        for node in nodes:
            if node["status"] not in (ExecutionStatus.QUEUED.value, ExecutionStatus.RUNNING.value):
                continue
            updated = self.set_node_status(
                ref, node["node_exec_id"], ExecutionStatus.TERMINATED, end_time=now()
            )
            node.update(updated or self.get_node_execs(ref, [node["node_exec_id"]])[0])
            ended += 1
        return ended

    def sink_states(self, ref: RunRef, node_ids: Iterable[str]) -> dict[str, SinkState]:
        wanted = sorted(set(node_ids))
        if not wanted:
            return {}
        found = {
            item["sk"][len(keys.SINK_STATE_PREFIX) :]: item
            for item in self.table.batch_get([(ref.pk, keys.sink_state_sk(n)) for n in wanted])
        }
        return {
            node_id: load_state(SinkState.from_doc(unpack(found[node_id]["doc"]), int(found[node_id]["v"])))
            if node_id in found
            else SinkState()
            for node_id in wanted
        }

    def commit_output(
        self,
        ref: RunRef,
        run: dict[str, Any],
        node_exec_id: str,
        *,
        prior: int,
        out_n: int,
        outputs: dict[str, list[Any]],
        queued: list[str],
        route: RouteResult,
        final: tuple[ExecutionStatus, str] | None = None,
        stats: dict[str, Any] | None = None,
    ) -> bool:
        """Record outputs ``prior..out_n`` (and optionally the final status) together with
        its routing. False if it was recorded already (a retry) or the node is no longer
        RUNNING; raises ``OutputConflict`` if a sink's routing state moved."""
        at = now()
        own_sets = "SET #output = :output, out_n = :next, queued = :queued, queued_overflow = :overflow"
        overflow = len(queued) > QUEUED_KEEP_MAX
        own_values: dict[str, Any] = {
            ":output": pack(outputs),
            ":next": out_n,
            ":queued": [] if overflow else queued,
            ":overflow": overflow,
            ":running": ExecutionStatus.RUNNING.value,
        }
        condition = "#status = :running"
        if final is not None:
            own_sets += ", #status = :final, end_time = :end"
            own_values.update({":final": final[0].value, ":end": final[1]})
        if stats:
            own_sets += ", stats = :stats"
            own_values[":stats"] = pack(stats)
        condition += " AND out_n = :prior"
        own_values[":prior"] = prior
        ops = [
            update_op(
                ref.pk,
                keys.node_exec_sk(node_exec_id),
                own_sets,
                condition,
                names={"#status": "status", "#output": "output"},
                values=own_values,
            )
        ]
        ops.extend(self._route_ops(ref, run, route, at))
        return self._transact_output(ops)

    def _route_ops(
        self, ref: RunRef, run: dict[str, Any], route: RouteResult, at: str
    ) -> list[dict[str, Any]]:
        ops: list[dict[str, Any]] = []
        for node_id, state in route.states.items():
            item = {
                "pk": ref.pk,
                "sk": keys.sink_state_sk(node_id),
                "type": "sink_state",
                "v": state.version + 1,
                "doc": pack(_spill_state(state, ref.graph_exec_id)),
            }
            if state.version == 0:
                ops.append(put_op(item, "attribute_not_exists(pk)"))
            else:
                ops.append(put_op(item, "v = :v", values={":v": state.version}))
        # Executions queued together get increasing queue times, so their order (the
        # order of the yields that queued them) survives sorting by queue time.
        base = datetime.fromisoformat(at)
        stamp = {
            node_exec_id: (base + timedelta(microseconds=index)).isoformat()
            for index, node_exec_id in enumerate(route.queued_ids)
        }
        ops.extend(
            put_op(node_exec_item(ref, run, e, stamp.get(e.id, at)), "attribute_not_exists(pk)")
            for e in route.created
        )
        for execution, queued in [(e, True) for e in route.queued] + [(e, False) for e in route.waiting]:
            update = "SET #input = :input" + (", #status = :queued, queue_time = :at" if queued else "")
            expr: dict[str, Any] = {
                ":input": pack(values.spill_pins(execution.input, ref.graph_exec_id)),
                ":incomplete": ExecutionStatus.INCOMPLETE.value,
            }
            if queued:
                expr.update({":queued": ExecutionStatus.QUEUED.value, ":at": stamp.get(execution.id, at)})
            ops.append(
                update_op(
                    ref.pk,
                    keys.node_exec_sk(execution.id),
                    update,
                    "#status = :incomplete",
                    names={"#status": "status", "#input": "input"},
                    values=expr,
                )
            )
        return ops

    def _transact_output(self, ops: list[dict[str, Any]]) -> bool:
        if len(ops) == 1:  # nothing routed: a plain conditional update (half the cost)
            try:
                with item_size_checked():
                    client("dynamodb").update_item(TableName=self.table.name, **ops[0]["Update"])
            except Exception as exc:
                if is_condition_failure(exc):
                    return False
                raise
            return True
        try:
            self.table.transact(ops[:_TRANSACTION_MAX])
        except Exception as exc:
            if not is_condition_failure(exc):
                raise
            codes = cancellation_codes(exc)
            if not codes or codes[0] == "ConditionalCheckFailed":
                return False  # our own guard: recorded already, or no longer RUNNING
            raise OutputConflict() from exc
        # Beyond one transaction (very wide static fan-in): the rest follows, each write
        # still guarded, so a retry cannot apply any of it twice.
        for start in range(_TRANSACTION_MAX, len(ops), _TRANSACTION_MAX):
            self.table.transact(ops[start : start + _TRANSACTION_MAX])
        return True


def cancellation_codes(exc: Exception) -> list[str]:
    """Per-operation codes of a cancelled transaction (``"None"`` where it was fine)."""
    response = getattr(exc, "response", {}) or {}
    reasons = response.get("CancellationReasons")
    if reasons:
        return [str(r.get("Code", "None")) for r in reasons]
    # Some emulators only put them in the message: "... reasons [None, ConditionalCheckFailed]".
    match = re.search(r"\[([A-Za-z, ]+)\]\s*$", response.get("Error", {}).get("Message", ""))
    return [part.strip() for part in match.group(1).split(",")] if match else []


def _spill_state(state: SinkState, graph_exec_id: str) -> dict[str, Any]:
    doc = state.to_doc()
    for pending in doc["pending"]:
        pending["pins"] = values.spill_pins(pending["pins"], graph_exec_id)
    if doc["latest"]:
        doc["latest"] = values.spill_pins(doc["latest"], graph_exec_id)
    return doc


def load_state(state: SinkState) -> SinkState:
    for pending in state.pending:
        pending.pins = values.load_pins(pending.pins)
    if state.latest:
        state.latest = values.load_pins(state.latest)
    return state


def run_detail(item: dict[str, Any], nodes: list[dict[str, Any]]) -> GraphExecutionWithNodes:
    """The run with its node executions. A large value many pins share is returned in
    full once, as a preview everywhere else: first come the run's outputs (its result),
    then its inputs (which the caller sent), then the node executions."""
    loader = values.ValueLoader()
    outputs = run_outputs(item, loader)
    meta = run_meta(item, loader)
    return GraphExecutionWithNodes(
        **meta.model_dump(exclude={"inputs"}),
        inputs=meta.inputs or {},
        outputs=outputs,
        node_executions=sort_node_results(node_result(n, loader) for n in nodes),
    )
