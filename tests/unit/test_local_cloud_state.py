"""What the local cloud keeps across restarts besides the table (which DynamoDB Local
keeps: tests/e2e/test_crash.py), and its fallback without Java."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import USER_ID
from tests.support.graphs import input_store_output_graph
from tests.ws.support import RunWriter


def _journal_line(run: RunWriter) -> str:
    return json.dumps({"run": {"user_id": run.user_id, "graph_exec_id": run.graph_exec_id}})


def test_journaled_runs_still_in_flight_end_terminated(cloud, tmp_path: Path):
    from agentplatform.store.executions import ExecutionRepository
    from local.cloud import end_interrupted_runs
    from local.stepfunctions import RunJournal

    journal = RunJournal(tmp_path / "runs.jsonl")
    running, queued, finished = RunWriter(USER_ID), RunWriter(USER_ID), RunWriter(USER_ID)
    running.create()
    running.start()
    queued.create()
    finished.run({"output": ["done"]})
    for run in (running, queued, finished, running):
        journal.record(_journal_line(run))

    assert end_interrupted_runs(journal) == 2
    repo = ExecutionRepository()
    statuses = {w.graph_exec_id: repo.get_run(w.ref)["status"] for w in (running, queued, finished)}
    assert statuses == {
        running.graph_exec_id: "TERMINATED",
        queued.graph_exec_id: "TERMINATED",
        finished.graph_exec_id: "COMPLETED",
    }
    assert [n["status"] for n in repo.node_execs(running.ref)] == ["TERMINATED"]
    assert journal.runs() == []


def test_every_started_run_is_journaled_before_the_start_is_acknowledged(api, tmp_path: Path):
    from local.stepfunctions import RunJournal, journal_runs

    journal = RunJournal(tmp_path / "runs.jsonl")
    journal_runs(journal)
    try:
        graph = api.post("/api/graphs", json_body={"graph": input_store_output_graph()}).json()
        run = api.post(f"/api/graphs/{graph['id']}/execute/1", json_body={"inputs": {"x": "hi"}}).json()
    finally:
        journal_runs(None)
    assert journal.runs() == [(USER_ID, run["id"])]


def test_a_torn_journal_line_is_ignored(tmp_path: Path):
    from local.stepfunctions import RunJournal

    journal = RunJournal(tmp_path / "runs.jsonl")
    journal.record(json.dumps({"run": {"user_id": "u", "graph_exec_id": "r"}}))
    with journal.path.open("a") as handle:
        handle.write('{"user_id": "u", "graph_ex')  # the process died mid-write
    assert journal.runs() == [("u", "r")]


def test_values_are_on_disk_when_put_answers_and_readable_after_a_restart(tmp_path: Path):
    from agentplatform.aws import client
    from agentplatform.config import get_settings
    from local.cloud import LocalCloud
    from local.values_bucket import object_path, persist_objects

    body = b'{"value": "' + b"x" * 400_000 + b'"}'
    bucket, key = get_settings().bucket_name, "values/run/../odd key.json"
    cloud = LocalCloud().start()
    try:
        persist_objects(tmp_path)
        client("s3").put_object(Bucket=bucket, Key=key, Body=body)
        assert object_path(tmp_path, bucket, key).read_bytes() == body
    finally:
        cloud.stop()

    cloud = LocalCloud().start()  # moto's memory is gone
    try:
        s3 = client("s3")
        with pytest.raises(s3.exceptions.NoSuchKey):
            s3.get_object(Bucket=bucket, Key=key)
        persist_objects(tmp_path)
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body
        s3.delete_object(Bucket=bucket, Key=key)
        assert not object_path(tmp_path, bucket, key).exists()
    finally:
        cloud.stop()


def test_without_java_the_table_falls_back_to_moto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from agentplatform.store.table import Table
    from local import dynamodb_local
    from local.cloud import LocalCloud

    monkeypatch.setattr(dynamodb_local, "find_java", lambda: None)
    cloud = LocalCloud(tmp_path).start()
    try:
        assert (cloud.table_engine, cloud.fallback_reason) == (
            "moto",
            "no Java runtime found (install Java 17+ or set JAVA_HOME)",
        )
        Table().put({"pk": "p", "sk": "s"})
        assert Table().get("p", "s") == {"pk": "p", "sk": "s"}
    finally:
        cloud.stop()
    assert not (tmp_path / "dynamodb").exists()
