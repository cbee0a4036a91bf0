"""Regression floors on the blind sets (tests/quality/blind_r2, _r3, _r4), scored with the real
engines the way the bot reads a message (bot/nlu/interpret.py). Nothing was trained or tuned on
these sets; the floors sit a little under the figures recorded in docs/benchmarks.md, so a change
that makes the bot understand people worse fails here."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.nlu.evaluate import load_blind_set, score_blind

pytestmark = pytest.mark.understanding  # on the SQLite run only (tests/conftest.py)

HERE = Path(__file__).parent
NLU_FLOORS = {  # set: (macro-F1, accuracy, in-scope fallback at most, entity F1)
    "blind_r2": (0.92, 0.90, 0.03, 0.92),
    "blind_r3": (0.94, 0.93, 0.03, 0.92),
    "blind_r4": (0.91, 0.90, 0.03, 0.95),  # scored 0.913 before stop 26's changes, 0.926 after
    # 0.914 / 0.903 / 0.6% / 0.929 before stop 27, 0.934 / 0.927 / 0.6% / 0.945 after; 0.927 after
    # stop 29, whose "thanks with a goodbye is the thanks" round 5's writers labelled the other
    # way (agradecimiento 0.91 -> 0.88, despedida 0.95 -> 0.90; rounds 6 and 7 went up with it)
    # accuracy 0.923 -> 0.920 after stop 30 (2 of 534 messages; round 8 and the development sets
    # went up): the floor moved under it, with this reason
    "blind_r5": (0.92, 0.91, 0.03, 0.94),
    "blind_r6": (0.93, 0.93, 0.03, 0.96),  # 0.935 / 0.933 / 0.3% / 0.971 before stop 28, 0.938 / 0.936 / 0.4% / 0.972 after
    "blind_r7": (0.93, 0.93, 0.03, 0.96),  # 0.932 / 0.932 / 0.4% / 0.972 before stop 29, 0.943 / 0.940 / 0.3% / 0.973 after
    "blind_r8": (0.92, 0.90, 0.03, 0.95),  # 0.926 / 0.910 / 1.1% / 0.964 before stop 30, 0.927 / 0.914 / 0.7% / 0.965 after
    # its writer was told "el centro de salud" is a unidad too (the extractor takes named units
    # only): entity F1 lower than the other rounds' for that reason
    "blind_r9": (0.94, 0.92, 0.03, 0.90),  # 0.942 / 0.919 / 0.3% / 0.905 before stop 31, 0.947 / 0.927 / 0.3% / 0.910 after
    # its writer was told a unidad is a named unit only
    "blind_r10": (0.95, 0.93, 0.03, 0.94),  # 0.953 / 0.932 / 0.7% / 0.937 before stop 32, 0.953 / 0.933 / 0.4% / 0.944 after
    # its writer labelled far fewer unidades than the extractor finds (precision 0.59 on them)
    "blind_r11": (0.95, 0.93, 0.03, 0.90),  # 0.950 / 0.932 / 0.7% / 0.904 before stop 33, 0.953 / 0.936 / 0.7% / 0.904 after
    "blind_r12": (0.95, 0.93, 0.03, 0.94),  # 0.953 / 0.936 / 0.7% / 0.943 before stop 34, 0.952 / 0.935 / 0.7% / 0.943 after
}
MONTO_RECALL_FLOORS = {"blind_r5": 0.88}  # 0.889 before and after stop 27; 0.9 for the others
COVERAGE_FLOORS = {  # set: (portfolio top-1, concept top-3, covered said "no" at most, unsure at most)
    "blind_r2": (0.87, 0.89, 0.02, 0.05),
    "blind_r4": (0.90, 0.94, 0.02, 0.06),  # 0.871 / 0.932 / 1.7% / 9.8% before, 0.919 / 0.962 / 1.3% / 4.7% after
    "blind_r5": (0.92, 0.93, 0.01, 0.05),  # 0.884 / 0.938 / 0.5% / 4.2% (stop 27); 0.925 with the stop-28 scorer, 0.929 after stop 28
    # scored with the stop-28 scorer (an age-excluded row right when "not covered" through it)
    "blind_r6": (0.94, 0.96, 0.01, 0.03),  # 0.949 / 0.973 / 0.6% / 2.2% after stop 30  # 0.886 / 0.935 / 1.9% / 8.1% before stop 28, 0.932 / 0.950 / 1.3% / 4.1% after
    "blind_r7": (0.94, 0.97, 0.01, 0.03),  # 0.921 / 0.954 / 0.3% / 5.1% before stop 29, 0.926 / 0.957 / 0.0% / 5.1% after; 0.949 / 0.982 / 0.3% / 1.9% after stop 30
    "blind_r8": (0.91, 0.92, 0.02, 0.06),  # 0.876 / 0.861 / 1.1% / 10.1% before stop 30, 0.926 / 0.931 / 1.3% / 5.1% after
    "blind_r9": (0.92, 0.96, 0.02, 0.03),  # 0.931 / 0.977 / 1.5% / 1.5% before stop 31, 0.931 / 0.975 / 1.5% / 1.8% after
    "blind_r10": (0.96, 0.98, 0.01, 0.01),  # 0.965 / 0.981 / 0.6% / 0.6% before and after stop 32 (no coverage change)
    "blind_r11": (0.94, 0.97, 0.01, 0.03),  # 0.950 / 0.975 / 0.6% / 2.1% before and after stop 33
    "blind_r12": (0.96, 0.96, 0.01, 0.03),  # 0.968 / 0.970 / 0.0% / 1.7% before stop 34, 0.972 / 0.970 / 0.0% / 1.7% after
}


@pytest.fixture(scope="module")
def interpreter():
    from bot.nlu import get_parser
    from bot.nlu.interpret import Interpreter

    return Interpreter(get_parser())


@pytest.mark.parametrize("name", sorted(NLU_FLOORS))
def test_nlu_on_blind_messages(name, interpreter):
    items = load_blind_set(HERE / name)
    assert len(items) >= 400
    rep = score_blind(interpreter, items)
    macro, acc, fallback, entity = NLU_FLOORS[name]
    # aggregates only: a blind set's texts must never reach a log its authors' successors read
    confusions = Counter((f["gold"], f["pred"]) for f in rep["failures"] if f["gold"] != f["pred"])
    detail = f"gold -> predicted counts: {sorted(confusions.items(), key=lambda kv: -kv[1])[:15]}"
    got_macro, got_acc = float(rep["intents"].macro_f1), float(rep["intents"].accuracy)
    got_fallback, got_entity = float(rep["fallback_in_scope"]), float(rep["entity_f1"])
    monto_recall = float(rep["per_entity"]["monto"]["recall"])
    folio_recall = float(rep["per_entity"]["folio"]["recall"])
    del rep  # only the figures above may appear in an assertion's report
    assert got_macro >= macro, detail
    assert got_acc >= acc, detail
    assert got_fallback <= fallback, detail
    assert got_entity >= entity, detail
    assert monto_recall >= MONTO_RECALL_FLOORS.get(name, 0.9)
    assert folio_recall >= 0.9


@pytest.mark.parametrize("name", sorted(COVERAGE_FLOORS))
def test_coverage_on_blind_questions(name):
    from core.coverage.engine import CoverageEngine
    from core.coverage.evaluate import evaluate, read_set

    rep = evaluate(CoverageEngine.from_files(), read_set(HERE / name / "coverage.csv"))
    top1, top3, said_no, unsure = COVERAGE_FLOORS[name]
    total, got_top1, got_top3 = rep.total, float(rep.cartera_acc), float(rep.concepto_acc)
    got_no, got_unsure = float(rep.covered_said_no), float(rep.covered_said_unsure)
    del rep  # only the figures above may appear in an assertion's report
    assert total >= 250
    assert got_top1 >= top1
    assert got_top3 >= top3
    assert got_no <= said_no  # a covered service called "not covered" is the worst
    assert got_unsure <= unsure
