"""Round 8 (stop 30): ages told as "tengo 40 y…", a pregnancy's weeks that are not an age,
cosmetic and elective requests said in other words, and a catalogue answer that only brushed the
question giving way to the condition the knowledge base finds described."""

from __future__ import annotations

import pytest

from core.coverage.age import extract_age


@pytest.mark.parametrize(("text", "age"), [
    ("tengo 40 y necesito trasplante de medula osea", 40),
    ("mi hijo tiene 19 y se inyecta insulina desde los 10 años", 19),
    ("tengo 65 y siento que se me sale algo", 65),
    ("tengo 8 semanas y estoy sangrando poquito", None),  # her pregnancy
    ("tengo 7 meses y me estan dando contracciones", None),
    ("tengo 2 y uno en camino", None),  # a count, not an age
    ("mi bebe tiene 8 semanas", 0.15),
])
def test_ages_told_in_passing(text, age):
    assert extract_age(text) == age


@pytest.mark.parametrize("question", [
    "las estrias de mi embarazo se pueden quitar con el seguro?",
    "quiero blanquearme los dientes, esta cubierto?",
    "el dentista dice q ocupo corona de porcelana, me la cubren?",
    "me hice la vasectomia y ahora me la quiero revertir, revertir la vasectomía lo cubren?",
    "me dan la membresia del gimnasio con el seguro?",
    "me dan las pastillas azules en el seguro?",
])
def test_cosmetic_and_elective_requests_are_not_covered(engine, question):
    ans = engine.ask(question)
    assert ans.covered is False and ans.cartera is None


def test_an_adult_past_the_age_of_a_childrens_row_is_told_it_is_not_covered(engine):
    ans = engine.ask("hola buenas noches, tengo 40 y necesito trasplante de medula osea, me lo cubre el seguro?")
    assert ans.edad == 40 and ans.covered is False


@pytest.mark.parametrize(("question", "numero"), [
    # the catalogue's words brush "presión" (hypertension); the story is heart failure
    ("buenas tardes se me hinchan los pies y me falta el aire en la noche, tengo q dormir con 3 almohadas",
     {125, 209}),
    # "ojo" and "presión" point at hypertension; the story is glaucoma
    ("me dijeron que tengo la presion del ojo alta y ya me estoy quedando sin ver de lado", {264}),
])
def test_a_clearly_described_condition_beats_a_word_brushed_in_passing(full_engine, question, numero):
    ans = full_engine.ask(question)
    assert ans.covered and ans.cartera == "CAUSES" and ans.matches[0]["numero"] in numero
