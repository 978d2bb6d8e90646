"""Credit balances and the ledger (layout and access patterns: docs/data-model.md "Credits").

The balance is one item per user (``USER#<id> | CREDIT``) carrying a version ``v``. Every
change is a ledger entry (``USER#<id> | CTX#<transaction key>``) written in the same
transaction as the balance, conditioned on the version the new balance was computed
from and on the entry's key not existing yet: a key can never apply twice, concurrent
writers cannot both spend the same credits, and each entry's running balance is exact.
Inactive entries (top-ups waiting for payment) change nothing until they are enabled.

DynamoDB transactions cannot read, so a writer brings the snapshot it computed from;
a stale one is refused with the current item attached (``StaleBalance``), and the
writer recomputes. The engine keeps its last snapshot per user, so a charge usually
costs one request.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from agentplatform.aws import client
from agentplatform.models.credits import AutoTopUpConfig, CreditTransactionType
from agentplatform.store import keys
from agentplatform.store.table import (
    Table,
    from_attrs,
    is_condition_failure,
    pack,
    put_op,
    to_attrs,
    unpack,
    update_op,
)

ENTRY_TYPE = "credit_tx"
_EXECS_TTL_DAYS = 3


def iso(moment: datetime) -> str:
    """The sortable form every credit timestamp is stored in (UTC, microseconds)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Snapshot:
    """The balance item as a writer last saw it (``v == 0``: no item yet)."""

    balance: int = 0
    v: int = 0
    refill_month: str | None = None
    top_up: AutoTopUpConfig | None = None
    stripe_customer_id: str | None = None

    @classmethod
    def from_item(cls, item: dict[str, Any] | None) -> Snapshot:
        if not item:
            return cls()
        top_up = item.get("top_up")
        return cls(
            balance=int(item.get("balance", 0)),
            v=int(item.get("v", 0)),
            refill_month=item.get("refill_month"),
            top_up=AutoTopUpConfig.model_validate(top_up) if top_up else None,
            stripe_customer_id=item.get("stripe_customer_id"),
        )


@dataclass
class Entry:
    key: str
    type: CreditTransactionType
    amount: int
    metadata: dict[str, Any] = field(default_factory=dict)
    is_active: bool = True


@dataclass
class StoredEntry:
    user_id: str
    key: str
    type: CreditTransactionType
    amount: int
    running_balance: int | None
    is_active: bool
    metadata: dict[str, Any]
    created_at: str
    enabled_as: str | None = None  # a pending top-up that was paid: the key it counts under

    @property
    def time(self) -> datetime:
        return datetime.fromisoformat(self.created_at)


class StaleBalance(Exception):
    """The balance moved since the snapshot; ``current`` is what it is now."""

    def __init__(self, current: Snapshot):
        super().__init__("stale balance snapshot")
        self.current = current


class DuplicateTransaction(Exception):
    """An entry with this transaction key exists already: the change was applied before."""


class ExtraConditionFailed(Exception):
    """One of the caller's extra operations refused (``index`` into ``extra_ops``)."""

    def __init__(self, index: int):
        super().__init__(f"extra operation {index} refused")
        self.index = index


class TransactionConflict(Exception):
    """Another transaction was writing one of the items at the same moment: retry."""


def _entry(item: dict[str, Any]) -> StoredEntry:
    return StoredEntry(
        user_id=item["user_id"],
        key=item["key"],
        type=CreditTransactionType(item["tx_type"]),
        amount=int(item["amount"]),
        running_balance=None if item.get("running_balance") is None else int(item["running_balance"]),
        is_active=bool(item.get("is_active")),
        metadata=unpack(item["metadata"]) if item.get("metadata") is not None else {},
        created_at=item["created_at"],
        enabled_as=item.get("enabled_as"),
    )


def _entry_item(user_id: str, entry: Entry, running_balance: int | None, at: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": keys.user_pk(user_id),
        "sk": keys.credit_tx_sk(entry.key),
        "type": ENTRY_TYPE,
        "user_id": user_id,
        "key": entry.key,
        "tx_type": entry.type.value,
        "amount": entry.amount,
        "running_balance": running_balance,
        "is_active": entry.is_active,
        "metadata": pack(entry.metadata),
        "created_at": at,
        "gsi1pk": keys.credit_history_gsi1pk(user_id, active=entry.is_active),
        "gsi1sk": keys.credit_history_gsi_sk(at, entry.key),
    }
    if entry.is_active and entry.type != CreditTransactionType.USAGE:
        item["gsi2pk"] = keys.CREDIT_ADMIN_LOG_GSI2PK
        item["gsi2sk"] = f"{at}#{user_id}#{entry.key}"
    return item


def _reasons(exc: Exception) -> list[dict[str, Any]]:
    """Per-operation cancellation reasons (``Code``, and ``Item`` when asked for)."""
    response = getattr(exc, "response", {}) or {}
    if response.get("CancellationReasons"):
        return list(response["CancellationReasons"])
    from agentplatform.store.executions import cancellation_codes  # loads the engine: failures only

    return [{"Code": code} for code in cancellation_codes(exc)]


def _error_code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def _stamps(count: int) -> list[str]:
    """Creation times for entries written together: a microsecond apart, in order."""
    base = datetime.now(UTC)
    return [iso(base + timedelta(microseconds=i)) for i in range(count)]


class CreditStore:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # -- the balance

    def snapshot(self, user_id: str) -> Snapshot:
        return Snapshot.from_item(self.table.get(keys.user_pk(user_id), keys.CREDIT_SK, consistent=True))

    def snapshots(self, user_ids: Sequence[str]) -> dict[str, Snapshot]:
        items = self.table.batch_get([(keys.user_pk(u), keys.CREDIT_SK) for u in dict.fromkeys(user_ids)])
        found = {item["pk"][len(keys.user_pk("")) :]: Snapshot.from_item(item) for item in items}
        return {u: found.get(u, Snapshot()) for u in user_ids}

    def set_fields(self, user_id: str, **fields: Any) -> None:
        """Settings on the balance item (auto top-up, Stripe customer). The version moves
        too, so a writer holding an older snapshot re-reads them."""
        sets = ", ".join(f"#{name} = :{name}" for name in fields)
        self.table.update(
            keys.user_pk(user_id),
            keys.CREDIT_SK,
            f"SET {sets}, #type = :type ADD v :one",
            names={**{f"#{name}": name for name in fields}, "#type": "type"},
            values={**{f":{k}": v for k, v in fields.items()}, ":one": 1, ":type": "credit"},
        )

    def write(
        self,
        user_id: str,
        snapshot: Snapshot,
        entries: Sequence[Entry],
        *,
        extra_ops: Sequence[dict[str, Any]] = (),
        sets: dict[str, Any] | None = None,
    ) -> Snapshot:
        """Apply ``entries`` (and ``sets`` on the balance item, and ``extra_ops``) in one
        transaction, computed from ``snapshot``. Returns the new snapshot."""
        balance = snapshot.balance
        items = []
        for entry, at in zip(entries, _stamps(len(entries)), strict=True):
            running = None
            if entry.is_active:
                balance += entry.amount
                running = balance
            items.append(_entry_item(user_id, entry, running, at))
        ops = [self._balance_op(user_id, snapshot, balance, sets or {})]
        ops.extend(put_op(item, "attribute_not_exists(pk)") for item in items)
        ops.extend(extra_ops)
        self._transact(ops, first_extra=1 + len(items))
        return Snapshot(
            balance=balance,
            v=snapshot.v + 1,
            refill_month=(sets or {}).get("refill_month", snapshot.refill_month),
            top_up=snapshot.top_up,
            stripe_customer_id=snapshot.stripe_customer_id,
        )

    def _balance_op(
        self, user_id: str, snapshot: Snapshot, balance: int, sets: dict[str, Any]
    ) -> dict[str, Any]:
        names = {f"#{name}": name for name in sets} | {"#type": "type"}
        values = {f":{name}": value for name, value in sets.items()}
        values.update({":balance": balance, ":next": snapshot.v + 1, ":type": "credit"})
        expression = ", ".join(
            ["balance = :balance", "v = :next", "#type = :type"] + [f"#{n} = :{n}" for n in sets]
        )
        if snapshot.v == 0:
            condition = "attribute_not_exists(v)"
        else:
            condition, values[":seen"] = "v = :seen", snapshot.v
        op = update_op(
            keys.user_pk(user_id), keys.CREDIT_SK, f"SET {expression}", condition, names=names, values=values
        )
        op["Update"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return op

    def _transact(self, ops: list[dict[str, Any]], *, first_extra: int) -> None:
        try:
            self.table.transact(ops)
        except Exception as exc:
            if not is_condition_failure(exc):
                raise
            reasons = _reasons(exc)
            codes = [str(r.get("Code", "None")) for r in reasons]
            if "TransactionConflict" in codes:
                raise TransactionConflict() from exc
            if codes and codes[0] == "ConditionalCheckFailed":
                item = reasons[0].get("Item")
                pk = from_attrs(ops[0]["Update"]["Key"])["pk"]
                current = Snapshot.from_item(from_attrs(item)) if item else None
                raise StaleBalance(current or self._snapshot_by_pk(pk)) from exc
            for index, code in enumerate(codes):
                if code == "ConditionalCheckFailed":
                    if index < first_extra:
                        raise DuplicateTransaction() from exc
                    raise ExtraConditionFailed(index - first_extra) from exc
            raise

    def _snapshot_by_pk(self, pk: str) -> Snapshot:
        return Snapshot.from_item(self.table.get(pk, keys.CREDIT_SK, consistent=True))

    # -- the ledger

    def get_entry(self, user_id: str, key: str) -> StoredEntry | None:
        item = self.table.get(keys.user_pk(user_id), keys.credit_tx_sk(key), consistent=True)
        return _entry(item) if item else None

    def enable(
        self, user_id: str, snapshot: Snapshot, pending: StoredEntry, new_key: str, metadata: dict[str, Any]
    ) -> Snapshot:
        """A pending top-up becomes active (its payment succeeded), under ``new_key``
        (Stripe's payment intent id, as upstream). The pending entry stays behind as an
        inactive marker, so the key it was created under (``AUTO-TOP-UP-<user>-<run>``)
        stays taken. ``DuplicateTransaction`` when it was enabled already."""
        if new_key == pending.key:
            raise ValueError("a pending entry is enabled under a new key")
        entry = Entry(new_key, pending.type, pending.amount, {**pending.metadata, **metadata})
        retire = update_op(
            keys.user_pk(user_id),
            keys.credit_tx_sk(pending.key),
            "SET enabled_as = :new REMOVE gsi1pk, gsi1sk",
            "is_active = :false AND attribute_not_exists(enabled_as)",
            values={":new": new_key, ":false": False},
        )
        try:
            return self.write(user_id, snapshot, [entry], extra_ops=[retire])
        except ExtraConditionFailed as exc:
            raise DuplicateTransaction() from exc

    def history(
        self,
        user_id: str,
        *,
        before: str | None,
        limit: int | None,
        transaction_type: CreditTransactionType | None = None,
        active: bool = True,
    ) -> list[StoredEntry]:
        """Newest first, entries created before ``before`` (ISO), at most ``limit``."""
        return list(self._query_history(user_id, before, limit, transaction_type, active))

    def _query_history(
        self,
        user_id: str,
        before: str | None,
        limit: int | None,
        transaction_type: CreditTransactionType | None,
        active: bool,
    ) -> Iterator[StoredEntry]:
        condition = "gsi1pk = :pk"
        values: dict[str, Any] = {":pk": keys.credit_history_gsi1pk(user_id, active=active)}
        if before:
            condition += " AND gsi1sk < :before"
            values[":before"] = before
        kwargs: dict[str, Any] = {
            "TableName": self.table.name,
            "IndexName": "gsi1",
            "KeyConditionExpression": condition,
            "ScanIndexForward": False,
        }
        if transaction_type is not None:
            kwargs["FilterExpression"] = "tx_type = :tx_type"
            values[":tx_type"] = transaction_type.value
        kwargs["ExpressionAttributeValues"] = to_attrs(values)
        yield from _paged(kwargs, limit)

    def admin_log(self) -> Iterator[StoredEntry]:
        """Every active non-usage entry of every user, newest first (admin history)."""
        kwargs = {
            "TableName": self.table.name,
            "IndexName": "gsi2",
            "KeyConditionExpression": "gsi2pk = :pk",
            "ExpressionAttributeValues": to_attrs({":pk": keys.CREDIT_ADMIN_LOG_GSI2PK}),
            "ScanIndexForward": False,
        }
        yield from _paged(kwargs, None)

    # -- the every-Nth-execution counter (one item per user and UTC day)

    def counter_op(self, user_id: str, day: str, threshold: int, *, billing: bool) -> dict[str, Any]:
        """Count one node execution. ``pre`` is the count just before the next billed one,
        so the plain form refuses exactly the execution that reaches it, and the billing
        form (used then, with the charge) moves ``pre`` on by ``threshold``."""
        names = {"#n": "n", "#pre": "pre"}
        if billing:
            return update_op(
                keys.user_pk(user_id),
                keys.execution_count_sk(day),
                "SET #pre = #pre + :threshold ADD #n :one",
                "#n = #pre",
                names=names,
                values={":one": 1, ":threshold": threshold},
            )
        expires = int(
            (datetime.fromisoformat(day) + timedelta(days=_EXECS_TTL_DAYS)).replace(tzinfo=UTC).timestamp()
        )
        return update_op(
            keys.user_pk(user_id),
            keys.execution_count_sk(day),
            "SET #pre = if_not_exists(#pre, :first), #ttl = :ttl, #type = :type ADD #n :one",
            "attribute_not_exists(#n) OR #n < #pre",
            names=names | {"#ttl": "ttl", "#type": "type"},
            values={":one": 1, ":first": threshold - 1, ":ttl": expires, ":type": "exec_count"},
        )

    def count_execution(self, user_id: str, day: str, threshold: int) -> bool:
        """Count one node execution on its own (nothing to charge); False when this is the
        execution that must pay the every-Nth charge (nothing was counted then)."""
        op = self.counter_op(user_id, day, threshold, billing=False)["Update"]
        try:
            client("dynamodb").update_item(TableName=self.table.name, **op)
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            if _error_code(exc) == "TransactionConflictException":
                raise TransactionConflict() from exc
            raise
        return True

    # -- refund requests

    def add_refund_request(self, user_id: str, request: dict[str, Any]) -> bool:
        """False if one already exists under this id (one per top-up week, as upstream)."""
        try:
            self.table.put(
                {
                    "pk": keys.user_pk(user_id),
                    "sk": keys.refund_sk(request["id"]),
                    "type": "refund_request",
                    **request,
                },
                condition="attribute_not_exists(pk)",
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def refund_requests(self, user_id: str) -> list[dict[str, Any]]:
        return list(self.table.query(keys.user_pk(user_id), prefix=keys.REFUND_PREFIX))

    def resolve_refund_requests(self, user_id: str, transaction_key: str, **fields: Any) -> None:
        for item in self.refund_requests(user_id):
            if item.get("transaction_key") == transaction_key:
                sets = ", ".join(f"#{n} = :{n}" for n in fields)
                self.table.update(
                    keys.user_pk(user_id),
                    item["sk"],
                    f"SET {sets}",
                    names={f"#{n}": n for n in fields},
                    values={f":{k}": v for k, v in fields.items()},
                )

    # -- Stripe objects and webhook events

    def link_stripe_object(self, object_id: str, user_id: str) -> None:
        self.table.put(
            {
                "pk": keys.stripe_object_pk(object_id),
                "sk": keys.STRIPE_SK,
                "type": "stripe_object",
                "user_id": user_id,
            }
        )

    def stripe_object_owner(self, object_id: str) -> str | None:
        item = self.table.get(keys.stripe_object_pk(object_id), keys.STRIPE_SK)
        return str(item["user_id"]) if item else None

    def claim_event(self, event_id: str) -> bool:
        """First delivery of a webhook event: True. A replay: False."""
        expires = int((datetime.now(UTC) + timedelta(days=30)).timestamp())
        try:
            self.table.put(
                {
                    "pk": keys.stripe_event_pk(event_id),
                    "sk": keys.STRIPE_SK,
                    "type": "stripe_event",
                    "ttl": expires,
                },
                condition="attribute_not_exists(pk)",
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def release_event(self, event_id: str) -> None:
        """Handling failed: let Stripe's retry run it again."""
        self.table.delete(keys.stripe_event_pk(event_id), keys.STRIPE_SK)


def node_charge_op(run_pk: str, node_exec_id: str, amount: int) -> dict[str, Any]:
    """Marks a node execution as charged (and by how much): a retry sees it and skips."""
    return update_op(
        run_pk,
        keys.node_exec_sk(node_exec_id),
        "SET charged = :amount",
        "attribute_not_exists(charged)",
        values={":amount": amount},
    )


def _paged(kwargs: dict[str, Any], limit: int | None) -> Iterator[StoredEntry]:
    db = client("dynamodb")
    produced = 0
    while True:
        if limit is not None:
            kwargs["Limit"] = max(limit - produced, 1)
        resp = db.query(**kwargs)
        for attrs in resp.get("Items", []):
            yield _entry(from_attrs(attrs))
            produced += 1
            if limit is not None and produced >= limit:
                return
        if "LastEvaluatedKey" not in resp:
            return
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
