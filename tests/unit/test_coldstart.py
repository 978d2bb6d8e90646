"""The collector pause during a Lambda's INIT (agentplatform.coldstart)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from agentplatform.coldstart import end_of_init, pause_collector

ROOT = Path(__file__).resolve().parents[2]


def test_end_of_init_freezes_what_init_made_and_collects_again():
    pause_collector()
    try:
        assert not gc.isenabled()
        end_of_init()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        gc.enable()
        gc.unfreeze()


def test_end_of_init_without_a_pause_freezes_nothing():
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    end_of_init()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


@pytest.mark.parametrize(
    "handler", ["functions.rest.users", "functions.graph_run.run_node", "functions.events.stream"]
)
def test_a_handler_import_ends_with_the_collector_on_and_init_frozen(handler: str):
    code = (
        f"import gc, json, sys, importlib; importlib.import_module({handler!r}); "
        "print(json.dumps([gc.isenabled(), gc.get_freeze_count(), gc.get_stats()[2]['collections']]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env={"PATH": ""}
    )
    enabled, frozen, full_collections = json.loads(out.stdout)
    assert enabled is True
    assert frozen > 10_000
    assert full_collections == 0
