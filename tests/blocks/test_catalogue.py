"""The prebuilt block catalogue is used only while it matches the code."""

from __future__ import annotations

import json

import pytest

from agentplatform.blocks import catalogue
from agentplatform.blocks.registry import get_blocks


@pytest.fixture
def catalogue_file(tmp_path, monkeypatch):
    path = tmp_path / "catalogue.json"
    monkeypatch.setattr(catalogue, "CATALOGUE_FILE", path)
    catalogue.prebuilt_entries.cache_clear()
    yield path
    catalogue.prebuilt_entries.cache_clear()


def _live() -> list[dict]:
    return [
        {**block.to_dict(), "costs": [cost.as_dict() for cost in block.costs]}
        for block in get_blocks().values()
        if not block.disabled
    ]


def test_without_a_prebuilt_file_entries_are_rendered_live(catalogue_file):
    assert catalogue.prebuilt_entries() == {}
    assert catalogue.catalogue_entries(get_blocks()) == _live()


def test_fresh_prebuilt_file_gives_identical_entries(catalogue_file):
    catalogue.write_catalogue(get_blocks(), catalogue_file)
    assert set(catalogue.prebuilt_entries()) == set(get_blocks())
    entries = catalogue.catalogue_entries(get_blocks())
    assert json.dumps(entries) == json.dumps(_live())  # same content and key order


def test_fresh_prebuilt_entries_are_what_is_served(catalogue_file):
    catalogue.write_catalogue(get_blocks(), catalogue_file)
    stored = json.loads(catalogue_file.read_text())
    some_id = next(iter(stored["entries"]))
    stored["entries"][some_id]["description"] = "from the prebuilt file"
    catalogue_file.write_text(json.dumps(stored))
    served = {entry["id"]: entry for entry in catalogue.catalogue_entries(get_blocks())}
    assert served[some_id]["description"] == "from the prebuilt file"


def test_stale_prebuilt_file_is_ignored(catalogue_file):
    catalogue.write_catalogue(get_blocks(), catalogue_file)
    stored = json.loads(catalogue_file.read_text())
    stored["fingerprint"] = "0" * 64
    some_id = next(iter(stored["entries"]))
    stored["entries"][some_id]["description"] = "stale"
    catalogue_file.write_text(json.dumps(stored))
    assert catalogue.prebuilt_entries() == {}
    assert catalogue.catalogue_entries(get_blocks()) == _live()


def test_corrupt_prebuilt_file_is_ignored(catalogue_file):
    catalogue_file.write_text("{not json")
    assert catalogue.prebuilt_entries() == {}


def test_fingerprint_is_stable():
    assert catalogue.fingerprint() == catalogue.fingerprint()
    assert len(catalogue.fingerprint()) == 64
