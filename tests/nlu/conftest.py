"""NLU fixtures: a temporary instance dir holding the trained model (trained once, kept between
sessions: tests/nlu_model.py)."""

from __future__ import annotations

import pytest

from bot.nlu.engine import EmbeddedParser
from tests.nlu_model import seed


@pytest.fixture(scope="session")
def nlu_instance(tmp_path_factory, nlu_model):
    return seed(tmp_path_factory.mktemp("nlu-instance"), nlu_model)


@pytest.fixture(scope="session")
def parser(nlu_instance) -> EmbeddedParser:
    return EmbeddedParser(inst_dir=nlu_instance, threshold=0.5).warm()


@pytest.fixture()
def instance_env(nlu_instance, monkeypatch):
    """SINAC_INSTANCE_DIR pointing at the session's trained model; clean NLU_* variables."""
    monkeypatch.setenv("SINAC_INSTANCE_DIR", str(nlu_instance))
    for var in ("NLU_BACKEND", "RASA_URL", "NLU_THRESHOLD", "NLU_TIMEOUT_S", "NLU_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    from bot.nlu import get_parser

    get_parser.cache_clear()
    yield nlu_instance
    get_parser.cache_clear()
