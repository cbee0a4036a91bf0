"""The built coverage engine kept on disk: a new process loads it, and any change to what the
build reads makes a new one instead of answering from a stale index."""

from __future__ import annotations

import shutil

from core.coverage import built, catalog, get_engine, reset_engine
from core.coverage.engine import CoverageEngine


def test_a_second_process_loads_the_engine_the_first_built(coverage_instance, monkeypatch):
    calls = []
    real = CoverageEngine.from_files

    def counting():
        calls.append(1)
        return real()

    monkeypatch.setattr(CoverageEngine, "from_files", staticmethod(counting))
    first = get_engine().ask("me duele la muela")
    assert calls == [1]
    assert list((coverage_instance / "cache").glob("coverage-*.pkl"))
    reset_engine()  # as a new process: nothing in memory
    second = get_engine().ask("me duele la muela")
    assert calls == [1]
    assert second.to_dict() == first.to_dict()


def test_a_changed_data_file_or_loaded_catalogue_changes_the_key(tmp_path, coverage_instance):
    data = tmp_path / "data"
    shutil.copytree(catalog.DATA_DIR, data)
    manifest = coverage_instance / "coverage" / "manifest.json"
    key = built.build_key(data, manifest)
    assert built.build_key(data, manifest) == key
    syn = data / "sinonimos_extra.csv"
    syn.write_text(syn.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    edited = built.build_key(data, manifest)
    assert edited != key
    manifest.parent.mkdir(parents=True)
    manifest.write_text('{"catalogos": []}', encoding="utf-8")
    assert built.build_key(data, manifest) != edited


def test_an_unreadable_file_is_built_again(coverage_instance):
    key = "k" * 20
    path = built.cache_path(key)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    obj = built.load_or_build(key, lambda: {"built": True}, dict)
    assert obj == {"built": True}
    assert built.load_or_build(key, lambda: {"built": "again"}, dict) == {"built": True}
