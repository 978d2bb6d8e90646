"""The local cloud's AWS, provisioned like the deployed stack (see ADR 0004).

``LocalCloud(state_dir).start()`` sets this process up so that the same boto3 calls
the Lambdas make in AWS reach:

- the table and its stream: **DynamoDB Local** (AWS's engine, a Java child process)
  with its data in ``state_dir/dynamodb``: durable, indexed, real Streams. Without a
  state dir (the unit tests) or without Java 17+ (the fallback, with a warning) the
  table lives in moto, in this process: volatile and slower.
- everything else (Step Functions running the synthesized state machine, Lambda
  dispatched in-process, KMS, the WebSocket management API): **moto**, in-process.
  moto passes DynamoDB through; the standard per-service endpoint variables
  (``AWS_ENDPOINT_URL_DYNAMODB``/``_DYNAMODB_STREAMS``) point the clients at the engine.
- the values bucket: moto's S3 with every object also in ``state_dir/values``.

moto's executions live in memory: each run started is journaled (``state_dir/runs.jsonl``)
and, at the next start, those still in flight are ended TERMINATED.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from agentplatform.aws import client, reset_clients
from agentplatform.config import get_settings
from agentplatform.store.schema import TTL_ATTRIBUTE, create_table_kwargs

REGION = "us-east-1"
MOTO_ENGINE = "moto"
DYNAMODB_LOCAL_ENGINE = "dynamodb-local"
# botocore resolves stream ARNs to account-based endpoints, which moto does not route.
_MOTO_STREAMS_ENDPOINT = "https://streams.dynamodb.us-east-1.amazonaws.com"
_TABLE_ENDPOINTS = ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS")

# Fake credentials so botocore signs requests; moto and DynamoDB Local accept anything.
_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


def _moto_config(engine_endpoint: str) -> dict[str, Any]:
    # Requests to the engine go out unmocked; naming its URL also spares each of them
    # moto's walk through every service's URL patterns.
    on_engine = ["dynamodb", "dynamodbstreams"] if engine_endpoint else []
    urls = [re.escape(engine_endpoint)] if engine_endpoint else []
    return {
        "stepfunctions": {"execute_state_machine": True},
        "lambda": {"use_docker": False},
        "core": {"passthrough": {"services": on_engine, "urls": urls}},
    }


class LocalCloud:
    def __init__(self, state_dir: Path | None = None):
        self.state_dir = state_dir
        self.table_engine = MOTO_ENGINE
        self.fallback_reason = ""  # why the table is in moto although a state dir was given
        self.interrupted_runs = 0
        self.blueprint: Any = None
        self._mock: Any = None
        self._dynamodb: Any = None

    def start(self) -> LocalCloud:
        """Call from a thread that lives as long as the cloud (DynamoDB Local dies with it)."""
        os.environ.update(_AWS_ENV)
        os.environ.pop("AWS_ENDPOINT_URL", None)  # these services, not another emulator
        try:
            self._launch_table_engine()
            from moto import mock_aws

            endpoint = self._dynamodb.endpoint if self._dynamodb else ""
            self._mock = mock_aws(config=_moto_config(endpoint))  # type: ignore[call-overload]
            self._mock.start()
            reset_clients()
            get_settings.cache_clear()
            self._provision_bucket()
            self._provision_graph_run()  # meanwhile the JVM boots
            self._provision_schedules()
            if self._dynamodb:
                self._dynamodb.wait_ready()
            self._provision_table()
            if self.state_dir is not None:
                self._take_over_run_journal()
        except BaseException:
            self.stop()  # never leave DynamoDB Local running behind a failed start
            raise
        return self

    def _launch_table_engine(self) -> None:
        from local.dynamodb_local import DynamoDBLocal, Unavailable

        if self.state_dir is not None:
            try:
                self._dynamodb = DynamoDBLocal(self.state_dir / "dynamodb")
            except Unavailable as exc:
                self.fallback_reason = str(exc)
        if self._dynamodb is not None:
            os.environ.update(dict.fromkeys(_TABLE_ENDPOINTS, self._dynamodb.launch()))
            self.table_engine = DYNAMODB_LOCAL_ENGINE
            return
        from local.moto_fixes import cheap_transaction_snapshots, serialize_dynamodb

        serialize_dynamodb()  # Map iterations run on threads; moto's DynamoDB needs this
        cheap_transaction_snapshots()
        os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
        os.environ["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"] = _MOTO_STREAMS_ENDPOINT

    def _provision_table(self) -> None:
        db, table = client("dynamodb"), get_settings().table_name
        try:
            db.create_table(**create_table_kwargs(table))
        except db.exceptions.ResourceInUseException:  # DynamoDB Local kept it
            self._add_missing_indexes(table)
        ttl = db.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        if ttl.get("TimeToLiveStatus") != "ENABLED":
            db.update_time_to_live(
                TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
            )

    @staticmethod
    def _add_missing_indexes(table: str) -> None:
        """A table kept from an older checkout gets the indexes added since."""
        db = client("dynamodb")
        existing = {
            i["IndexName"]
            for i in db.describe_table(TableName=table)["Table"].get("GlobalSecondaryIndexes", [])
        }
        wanted = create_table_kwargs(table)
        for index in wanted["GlobalSecondaryIndexes"]:
            if index["IndexName"] in existing:
                continue
            names = {k["AttributeName"] for k in index["KeySchema"]}
            db.update_table(
                TableName=table,
                AttributeDefinitions=[
                    a for a in wanted["AttributeDefinitions"] if a["AttributeName"] in names
                ],
                GlobalSecondaryIndexUpdates=[{"Create": index}],
            )

    def _provision_bucket(self) -> None:
        from local.values_bucket import persist_objects

        client("s3").create_bucket(Bucket=get_settings().bucket_name)
        persist_objects(None if self.state_dir is None else self.state_dir / "values")

    def _provision_graph_run(self) -> None:
        from local.stepfunctions import load_blueprint, provision_graph_run

        self.blueprint = load_blueprint()
        provision_graph_run(self.blueprint)  # exports STATE_MACHINE_ARN
        get_settings.cache_clear()

    @staticmethod
    def _provision_schedules() -> None:
        from local.schedules import provision

        provision()  # the schedule group, as the stack's (local/schedules.py)

    def _take_over_run_journal(self) -> None:
        from local.stepfunctions import RunJournal, journal_runs

        assert self.state_dir is not None
        journal = RunJournal(self.state_dir / "runs.jsonl")
        self.interrupted_runs = end_interrupted_runs(journal)
        journal_runs(journal)  # and journal the runs this session starts

    def stream_pollers(self) -> list[Any]:
        """The table stream's event source mappings, as the deployed stack has them."""
        from local.streams import StreamMapping, StreamPoller

        pollers = []
        for props in self.blueprint.stream_mappings if self.blueprint else ():
            mapping = StreamMapping.from_template(props, self.blueprint.functions[props["FunctionName"]])
            state = None if self.state_dir is None else self.state_dir / "streams"
            pollers.append(
                StreamPoller(
                    get_settings().table_name,
                    mapping,
                    checkpoint=state / f"{mapping.function_name}.json" if state else None,
                    dead_letters=state / f"{mapping.function_name}.failures.jsonl" if state else None,
                )
            )
        return pollers

    def stop(self) -> None:
        from local.stepfunctions import journal_runs
        from local.values_bucket import persist_objects

        journal_runs(None)
        persist_objects(None)
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
            reset_clients()
        if self._dynamodb is not None:
            self._dynamodb.stop()
            self._dynamodb = None
        for name in _TABLE_ENDPOINTS:
            os.environ.pop(name, None)


def end_interrupted_runs(journal: Any) -> int:
    """Runs in flight when the last session stopped lost their (in-memory) state machine
    executions: end the journal's runs that are still in flight TERMINATED rather than
    leave them RUNNING for ever, and empty it. Returns how many were ended."""
    from agentplatform.executions.service import ExecutionService
    from agentplatform.store.executions import ExecutionRepository, RunRef

    repo = ExecutionRepository()
    items = [repo.get_run(RunRef(user_id, run_id)) for user_id, run_id in journal.runs()]
    ended = ExecutionService().terminate_interrupted(item for item in items if item is not None)
    journal.clear()
    return ended
