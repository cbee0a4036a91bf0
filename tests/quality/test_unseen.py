"""Regression floors on the independent unseen sets (tests/quality/unseen_nlu.yml,
tests/quality/unseen_coverage.csv), scored with the real engines.

The floors are set a little under what the engines achieve (see docs in the module
tests/quality/scoring.py; run `python -m tests.quality.scoring` for the full report).
"""

from __future__ import annotations

import pytest

from tests.quality.scoring import load_nlu_set, score_coverage, score_nlu

pytestmark = pytest.mark.understanding  # on the SQLite run only (tests/conftest.py)

INTENT_ACCURACY_FLOOR = 0.95
INTENT_MACRO_F1_FLOOR = 0.95
PER_INTENT_F1_FLOOR = 0.85
ENTITY_F1_FLOOR = 0.95
COVERAGE_PORTFOLIO_FLOOR = 0.95
COVERAGE_CONCEPT_FLOOR = 0.95
COVERAGE_AGE_FLOOR = 0.95


@pytest.fixture(scope="module")
def nlu_report():
    from bot.nlu import get_parser

    return score_nlu(get_parser(), load_nlu_set())


def _failures(rep) -> str:
    return "\n".join(f"{f['gold']} -> {f['pred']}: {f['text']} missing={f['missing']} extra={f['extra']}"
                     for f in rep["failures"])


def test_set_is_big_and_covers_every_intent():
    from bot.nlu import INTENTS

    items = load_nlu_set()
    assert len(items) >= 250
    assert {i["intent"] for i in items} == set(INTENTS)
    assert all(set(i) <= {"text", "intent", "entities"} for i in items)


def test_unseen_intents(nlu_report):
    assert nlu_report["accuracy"] >= INTENT_ACCURACY_FLOOR, _failures(nlu_report)
    assert nlu_report["macro_f1"] >= INTENT_MACRO_F1_FLOOR, _failures(nlu_report)
    weak = {k: round(v["f1"], 3) for k, v in nlu_report["per_intent"].items()
            if v["f1"] < PER_INTENT_F1_FLOOR}
    assert not weak, (weak, _failures(nlu_report))


def test_unseen_entities(nlu_report):
    assert nlu_report["entity_f1"] >= ENTITY_F1_FLOOR, _failures(nlu_report)
    # money that was not charged by a health service is never a monto
    assert nlu_report["per_entity"]["monto"]["fp"] == 0, _failures(nlu_report)


@pytest.mark.parametrize("text,expected", [
    ("tuve que pagar 800 por el ultrasonido", "cobro_injustificado"),
    ("no tengo ni 50 pesos pal camion y aun asi me mandaron a otra clinica bien lejos", "queja"),
    ("me dieron de baja del seguro popular que hago", "solicitud_informacion"),
    (("no me quieren operar de la rodilla, no se supone que el seguro lo cubre? quiero saber si esta "
     "cubierto el reemplazo"), "consulta_cobertura"),
    ("tengo imss pero me quede sin trabajo, puedo entrar al seguro popular?", "solicitud_informacion"),
    ("hola buen dia, quisiera saber los requisitos para la reafiliacion", "solicitud_informacion"),
    ("cuanto cuesta la mastografia", "consulta_cobertura"),
])
def test_hard_boundaries(text, expected):
    from bot.nlu import get_parser

    assert get_parser().parse(text)["intent"]["name"] == expected


def test_unseen_coverage():
    from core.coverage import get_engine

    rep = score_coverage(get_engine())
    assert rep.total >= 80
    detail = "\n".join(str(f) for f in rep.failures)
    assert rep.cartera_acc >= COVERAGE_PORTFOLIO_FLOOR, detail
    assert rep.concepto_acc >= COVERAGE_CONCEPT_FLOOR, detail
    assert rep.edad_acc >= COVERAGE_AGE_FLOOR, detail
