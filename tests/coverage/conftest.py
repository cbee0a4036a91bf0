from __future__ import annotations

import pytest

from core.coverage.catalog import bundled_catalogs, bundled_synonyms, read_exclusions
from core.coverage.engine import CoverageEngine
from core.coverage.kb import kb_ages, kb_synonyms, read_kb


@pytest.fixture(scope="session")
def engine() -> CoverageEngine:
    """The engine over the bundled catalogs only (no instance dir involved)."""
    return CoverageEngine(bundled_catalogs(), bundled_synonyms(), read_exclusions())


@pytest.fixture(scope="session")
def entries():
    return read_kb()


@pytest.fixture(scope="session")
def full_engine(entries) -> CoverageEngine:
    """The engine as `get_engine` builds it: catalogues, knowledge base and BM25 reader."""
    from core.coverage.retrieval import KnowledgeRetriever

    return CoverageEngine(bundled_catalogs(), bundled_synonyms(), read_exclusions(),
                          kb_synonyms(entries), kb_ages(entries), KnowledgeRetriever(entries))


@pytest.fixture
def coverage_instance(tmp_path, monkeypatch):
    """An empty instance dir for catalogs loaded with `sinac coverage load`."""
    from core.coverage import reset_engine

    path = tmp_path / "instance"
    path.mkdir()
    monkeypatch.setenv("SINAC_INSTANCE_DIR", str(path))
    reset_engine()
    yield path
    reset_engine()
