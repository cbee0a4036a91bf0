"""The knowledge base beside the catalogues (core/coverage/data/kb) and what it lets the engine
answer: drugs, studies and symptoms reach their intervention; firm exclusions hold."""

from __future__ import annotations

import pytest

from core.coverage.catalog import bundled_catalogs
from core.coverage.kb import KINDS, kb_ages


def test_every_catalogue_row_has_exactly_one_entry_with_its_name(entries):
    rows = {(it.cartera, it.numero): it.nombre for c in bundled_catalogs()
            for it in c.interventions if it.numero is not None}
    keys = [(e.cartera, e.numero) for e in entries]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(rows)
    wrong = [(e.cartera, e.numero) for e in entries if e.nombre != rows[(e.cartera, e.numero)]]
    assert wrong == []


def test_entries_are_reviewable_data(entries):
    for e in entries:
        assert e.terminos, (e.cartera, e.numero)
        for attr in KINDS.values():
            for term in getattr(e, attr):
                assert 2 < len(term) <= 120, (e.numero, term)
        for code in e.cie10:
            assert len(code) >= 3 and code[0].isalpha() and code[1:3].isdigit(), (e.numero, code)
        assert e.sexo in (None, "F", "M")


@pytest.mark.parametrize("question, cartera, numero, via", [
    ("me dan la metformina?", "CAUSES", 84, "Metformina"),
    ("me piden una tomografia de la cabeza por un golpe", "CAUSES", 164, None),
])
def test_a_drug_or_study_reaches_the_condition_it_is_for(full_engine, question, cartera, numero,
                                                          via):
    ans = full_engine.ask(question)
    assert (ans.cartera, ans.covered) == (cartera, True)
    assert ans.matches[0]["numero"] == numero
    assert f"intervención {numero}" in ans.answer
    if via:
        assert ans.answer.startswith(via)  # names what it was matched through


def test_the_knowledge_base_is_asked_only_when_the_catalogue_is_unsure(full_engine, engine):
    # the catalogue's own answer stands (same intervention with or without the knowledge base)
    for q in ("me van a operar de la vesicula", "mi niño de 3 años tiene leucemia"):
        a, b = engine.ask(q), full_engine.ask(q)
        assert (a.cartera, a.matches[0]["numero"]) == (b.cartera, b.matches[0]["numero"])


@pytest.mark.parametrize("question", [
    "acupuntura para el dolor de espalda",
    "me quiero operar la nariz porque no me gusta como se ve",
    "sesiones de temazcal para la artritis",
    "me quieren mandar a tratarme en estados unidos",
])
def test_firm_exclusions_hold_whatever_condition_is_named(full_engine, question):
    ans = full_engine.ask(question)
    assert (ans.cartera, ans.covered) == (None, False)
    assert "persona" in ans.answer


def test_a_reconstructive_procedure_is_still_covered(full_engine):
    ans = full_engine.ask("cirugía plástica del labio leporino de mi bebé")
    assert ans.covered is True


def test_age_limits_from_the_knowledge_base(entries):
    ages = kb_ages(entries)
    lo, hi, label = ages[("SMSXXI", 1)]
    assert lo == 0 and 4.99 < hi <= 5.0 and "menores de" in label


# --- the third reader: BM25 over the knowledge base (core/coverage/retrieval.py) -------------


@pytest.mark.parametrize(("question", "numero"), [
    ("tengo los ojos rojos con lagañas", 37),  # conjuntivitis, told by its symptoms
    ("flujo blanco con comezón ahí abajo", 50),  # vaginitis
])
def test_a_condition_told_in_own_words_is_found_through_the_knowledge_base(full_engine, question, numero):
    ans = full_engine.ask(question)
    assert ans.covered is True and ans.cartera == "CAUSES"
    assert ans.matches[0]["numero"] == numero
    assert ans.answer.startswith("Por lo que describes") and f"intervención {numero}" in ans.answer


def test_words_no_entry_describes_stay_not_found(full_engine):
    for question in ("quitarme un tatuaje", "certificado medico para la escuela"):
        ans = full_engine.ask(question)
        assert ans.covered is None and not ans.settled and "Lo más parecido" not in ans.answer
    # a paternity test is named among what no portfolio covers: said so, not guessed at
    ans = full_engine.ask("prueba de ADN de paternidad")
    assert (ans.covered, ans.cartera) == (False, None) and "prueba de" in ans.answer


def test_the_retriever_answers_alone_only_when_one_entry_is_clearly_ahead():
    from core.coverage.kb import KBEntry
    from core.coverage.retrieval import KnowledgeRetriever

    entries = [
        KBEntry("CAUSES", 1, "Conjuntivitis", sintomas=["ojos rojos con lagañas"]),
        KBEntry("CAUSES", 2, "Orzuelo", sintomas=["bolita en el párpado"]),
        KBEntry("CAUSES", 3, "Otitis", sintomas=["dolor de oído con pus"]),
        KBEntry("CAUSES", 4, "Otitis externa", sintomas=["dolor de oído al nadar"]),
    ]
    retriever = KnowledgeRetriever(entries)
    found = retriever.search("mi hijo tiene los ojos rojos y con lagañas")
    assert found[0].key == ("CAUSES", 1) and found[0].query_coverage >= 0.5
    assert retriever.search("") == [] and retriever.search("zzz qqq") == []
    tie = retriever.search("dolor de oído")
    assert {r.key for r in tie[:2]} == {("CAUSES", 3), ("CAUSES", 4)}
    assert retriever.confident(tie) is None  # two entries equally described: never a guess


def test_a_long_story_far_ahead_on_one_entry_is_answered_though_few_of_its_words_match():
    from core.coverage.retrieval import KnowledgeRetriever, Retrieved

    def found(best, second, coverage):
        return [Retrieved(("CAUSES", 1), best, coverage), Retrieved(("CAUSES", 2), second, 0.2)]

    assert KnowledgeRetriever.confident(found(6.0, 4.0, 0.3)).key == ("CAUSES", 1)
    assert KnowledgeRetriever.confident(found(6.0, 5.0, 0.3)) is None  # not far enough ahead
    assert KnowledgeRetriever.confident(found(4.0, 2.0, 0.3)) is None  # too weak for a long story
    assert KnowledgeRetriever.confident(found(4.0, 2.0, 0.6)).key == ("CAUSES", 1)
    assert KnowledgeRetriever.confident(found(5.0, 3.3, 0.3)).key == ("CAUSES", 1)  # far ahead
    assert KnowledgeRetriever.confident(found(5.0, 3.6, 0.3)) is None


def test_a_child_only_row_is_not_an_adults_answer(full_engine):
    """'mi esposo' says an adult: SMSXXI's renal failure (under 5) is refused in words that do
    not invent an age, and an adult's condition the knowledge base knows answers instead."""
    ans = full_engine.ask("¿la hemodiálisis está cubierta? a mi esposo no le dan la cita")
    assert ans.covered is False and "para una persona adulta" in ans.answer and ans.edad is None
    ans = full_engine.ask("mi esposo tiene dengue, le sangran las encías y tiene las plaquetas bajas")
    assert ans.covered is True and ans.cartera == "CAUSES" and ans.matches[0]["numero"] == 204


@pytest.mark.parametrize("question", [
    "me quiero poner implantes de busto, lo cubre el seguro?",
    "mi mamá se quiere operar en Houston, lo cubre?",
    "interrupción legal del embarazo, la cubren?",
])
def test_what_no_portfolio_covers_is_said_plainly(full_engine, question):
    ans = full_engine.ask(question)
    assert ans.covered is False and ans.answer.startswith("Lo siento")
