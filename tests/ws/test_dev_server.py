"""``make dev`` serves the WebSocket too: a run watched live from a separate process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import E2E_SECRET, DevServer
from tests.support.graphs import input_store_output_graph
from tests.ws.support import Client

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    server = DevServer(Path(tmp_path_factory.mktemp("ws-dev")))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_agentplatform_dev_streams_a_run_over_its_websocket(dev):
    from local.tokens import mint

    token = mint(E2E_SECRET)
    headers = {"Authorization": f"Bearer {token}"}
    with (
        httpx.Client(base_url=dev.base_url, headers=headers, timeout=60) as http,
        Client(f"ws://127.0.0.1:{dev.port}/ws?token={token}") as client,
    ):
        created = http.post("/api/graphs", json={"graph": input_store_output_graph()}).json()
        client.subscribe_graph(created["id"])
        started = http.post(
            f"/api/graphs/{created['id']}/execute/{created['version']}", json={"inputs": {"x": "hi"}}
        )
        assert started.status_code == 200, started.text
        statuses = [client.recv()["data"]["status"] for _ in range(3)]
    assert statuses == ["QUEUED", "RUNNING", "COMPLETED"]


def test_refusals_close_with_autogpts_codes(dev):
    from websockets.exceptions import ConnectionClosed

    client = Client(f"ws://127.0.0.1:{dev.port}/ws")
    with pytest.raises(ConnectionClosed) as closed:
        client.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4001
