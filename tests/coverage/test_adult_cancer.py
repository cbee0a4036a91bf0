"""An adult's cancer the FPGC does not name is answered "not covered", with the list it does
name; cancers it names, children's cancers, screenings and palliative care keep their answer."""

from __future__ import annotations

import pytest

from core.coverage.answer import ADULT_CANCERS, MAX_CHARS
from core.coverage.text import fold

HUMAN_OPTION = "6"


@pytest.mark.parametrize("question", [
    "cancer de pulmon, tengo 60 años",
    "mi papá de 70 tiene cáncer de vejiga, le dan la quimio?",
    "melanoma en la espalda, me lo quitan con el seguro?",
    "cancer de pancreas lo cubre?",
])
def test_an_adult_cancer_the_fpgc_does_not_name_is_not_covered(full_engine, question):
    ans = full_engine.ask(question)
    assert (ans.cartera, ans.covered, ans.matches) == (None, False, [])
    assert "FPGC" in ans.answer and "menores de 18" in ans.answer
    assert HUMAN_OPTION in ans.answer and len(ans.answer) <= MAX_CHARS


@pytest.mark.parametrize("question, numero", [
    ("cancer de mama, tengo 45", 56),
    ("mi papa tiene cancer de prostata", 53),
    ("cáncer de colon mi mamá de 70", 57),
])
def test_the_adult_cancers_it_names_stay_covered(full_engine, question, numero):
    ans = full_engine.ask(question)
    assert (ans.cartera, ans.covered, ans.matches[0]["numero"]) == ("FPGC", True, numero)


def test_a_childs_cancer_and_cancer_care_keep_their_answer(full_engine):
    child = full_engine.ask("mi hijo de 10 años tiene cancer en el pulmon")
    assert child.covered is not False or child.cartera == "FPGC"
    pain = full_engine.ask("mi esposo tiene cancer terminal, le dan la morfina para el dolor?")
    assert (pain.cartera, pain.covered) == ("CAUSES", True)
    skin = full_engine.ask("cancer de piel en la cara, me lo quitan?")
    assert skin.cartera == "CAUSES" and skin.covered is True


def test_the_list_names_every_adult_cancer_row_of_the_catalogue(full_engine):
    listed = fold(ADULT_CANCERS)
    organs = {52: "ovario", 53: "prostata", 54: "testiculo", 55: "cervicouterino", 56: "mama",
              57: "colon", 58: "recto", 59: "recto", 60: "linfoma no hodgkin",
              61: "linfoma no hodgkin", 69: "esofago"}
    assert {it.numero for it in full_engine.adult_cancers} == set(organs)
    assert all(organ in listed for organ in organs.values())


def test_a_skin_cancer_other_than_melanoma_is_causes(full_engine):
    ans = full_engine.ask("me salio un carcinoma basocelular en la cara, me lo quitan gratis?")
    assert (ans.cartera, ans.covered, ans.matches[0]["numero"]) == ("CAUSES", True, 257)


def test_an_exclusion_is_matched_on_its_words_not_a_shared_stem(full_engine):
    slow = full_engine.ask("a mi papa le tiemblan las manos en reposo y camina lentito, le dieron levodopa")
    assert slow.covered is True and slow.matches[0]["numero"] == 133
    assert full_engine.ask("me dan los lentes?").covered is False


def test_an_exclusion_is_a_phrase_said_as_such(full_engine):
    # "médico" … "particular" apart is no private doctor; "para no embarazarme" is contraception
    diet = full_engine.ask("quiero bajar de peso con nutriologo y medico, es gratis o solo en particular?")
    assert diet.covered is True
    contraception = full_engine.ask("quiero la inyeccion mensual para no embarazarme, me la ponen gratis?")
    assert contraception.covered is True
    assert full_engine.ask("la consulta con un medico particular me la reembolsan?").covered is False
    # a device named beside the condition it serves leaves the condition covered
    child = full_engine.ask("mi niña de 9 años tiene diabetes juvenil, necesita insulina y glucometro")
    assert child.covered is True
    assert full_engine.ask("una silla de ruedas para mi papa, la dan?").covered is False


def test_weeks_at_birth_are_not_an_age(full_engine):
    ans = full_engine.ask("mi bebe nacio a las 35 semanas, sin complicaciones, lo cubren?")
    assert ans.edad is None or ans.edad < 0.1


@pytest.mark.parametrize(("text", "numero"), [
    ("mi hijo de 17 tiene cancer en el testiculo", 48),
    ("a mi hija de 15 años le encontraron un tumor maligno de ovario", 48),
    ("mi esposo de 30 tiene cancer de testiculo", 54),
    ("tengo 45 años y cancer de ovario", 52),
])
def test_a_gonadal_tumour_is_the_childrens_row_under_18_and_the_adults_after(full_engine, text, numero):
    ans = full_engine.ask(text)
    assert (ans.cartera, ans.covered, ans.matches[0]["numero"]) == ("FPGC", True, numero)
