"""The local cloud keeps the table across restarts and does not leave runs in flight."""

from __future__ import annotations

from pathlib import Path

from local.cloud import LocalCloud
from tests.conftest import USER_ID
from tests.ws.support import RunWriter


def _restart(state_dir: Path) -> LocalCloud:
    return LocalCloud(state_dir).start()


def test_runs_in_flight_at_shutdown_end_terminated_after_restart(tmp_path):
    from agentplatform.store.executions import ExecutionRepository

    cloud = _restart(tmp_path)
    running, queued, finished = RunWriter(USER_ID), RunWriter(USER_ID), RunWriter(USER_ID)
    running.create()
    running.start()
    queued.create()
    finished.run({"output": ["done"]})
    cloud.stop()

    cloud = _restart(tmp_path)
    try:
        assert cloud.interrupted_runs == 2
        repo = ExecutionRepository()
        statuses = {w.graph_exec_id: repo.get_run(w.ref)["status"] for w in (running, queued, finished)}
        assert statuses == {
            running.graph_exec_id: "TERMINATED",
            queued.graph_exec_id: "TERMINATED",
            finished.graph_exec_id: "COMPLETED",
        }
        nodes = repo.node_execs(running.ref)
        assert [n["status"] for n in nodes] == ["TERMINATED"]
    finally:
        cloud.stop()
