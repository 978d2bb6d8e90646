"""moto, in-process, provisioned like the deployed stack, with state kept on disk.

``LocalCloud`` starts moto's AWS emulation for this process, creates the table and
bucket the platform expects, and (with a state dir) restores the table from the last
run and saves it again on ``save()``/``stop()``.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from pathlib import Path
from typing import Any

from agentplatform.aws import client, reset_clients
from agentplatform.config import get_settings
from agentplatform.store.schema import TTL_ATTRIBUTE, create_table_kwargs

REGION = "us-east-1"
MOTO_CONFIG = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}
_STATE_FILE = "table.json"

# Fake credentials so botocore signs requests; moto accepts anything.
_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"__b64__": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__b64__"}:
            return base64.b64decode(value["__b64__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


class LocalCloud:
    def __init__(self, state_dir: Path | None = None):
        self.state_dir = state_dir
        self._mock: Any = None
        self.interrupted_runs = 0
        self._save_lock = threading.Lock()

    def start(self) -> LocalCloud:
        for name, value in _AWS_ENV.items():
            os.environ[name] = value
        os.environ.pop("AWS_ENDPOINT_URL", None)  # the in-process emulator, not a remote one
        from moto import mock_aws

        self._mock = mock_aws(config=MOTO_CONFIG)  # type: ignore[call-overload]
        self._mock.start()
        reset_clients()
        get_settings.cache_clear()
        self._provision()
        self._provision_graph_run()
        self._restore()
        return self

    def _provision_graph_run(self) -> None:
        from local.stepfunctions import provision_graph_run

        provision_graph_run()  # exports STATE_MACHINE_ARN
        get_settings.cache_clear()

    def _provision(self) -> None:
        settings = get_settings()
        db = client("dynamodb")
        db.create_table(**create_table_kwargs(settings.table_name))
        db.update_time_to_live(
            TableName=settings.table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
        )
        client("s3").create_bucket(Bucket=settings.bucket_name)
        from local.schedules import provision as provision_schedules

        provision_schedules()  # the schedule group, as the stack's (local/schedules.py)

    @property
    def _state_file(self) -> Path | None:
        return None if self.state_dir is None else self.state_dir / _STATE_FILE

    def _restore(self) -> None:
        path = self._state_file
        if path is None or not path.exists():
            return
        items = _decode(json.loads(path.read_text()))
        db, table = client("dynamodb"), get_settings().table_name
        for start in range(0, len(items), 25):
            requests = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
            db.batch_write_item(RequestItems={table: requests})
        self.interrupted_runs = self._end_interrupted_runs(items)

    @staticmethod
    def _end_interrupted_runs(items: list[dict[str, Any]]) -> int:
        """Runs in flight when the last session stopped lost their (in-memory) state
        machine executions: end them TERMINATED rather than leave them RUNNING."""
        from agentplatform.executions.service import ExecutionService
        from agentplatform.store.table import from_attrs

        return ExecutionService().terminate_interrupted(from_attrs(item) for item in items)

    def save(self) -> int:
        """Write the whole table to the state dir; returns the item count."""
        path = self._state_file
        if path is None:
            return 0
        with self._save_lock:
            db, table = client("dynamodb"), get_settings().table_name
            items: list[dict[str, Any]] = []
            for page in db.get_paginator("scan").paginate(TableName=table):
                items.extend(page["Items"])
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(_encode(items)))
            tmp.replace(path)  # atomic: a crash mid-save never leaves a torn file
            return len(items)

    def stop(self) -> None:
        if self._mock is None:
            return
        try:
            self.save()
        finally:
            self._mock.stop()
            self._mock = None
            reset_clients()
