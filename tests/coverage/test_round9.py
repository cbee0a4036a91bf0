"""Round 9 (stop 31): ages told as "1 año 3 meses", "año y medio", "recién nacido" and "tengo 62
cubre…", and a child under 5 answered through SMSXXI where its row names the condition even when
a CAUSES procedure or entry shares the words (issue 20, rule 4)."""

from __future__ import annotations

import pytest

from core.coverage.age import extract_age


@pytest.mark.parametrize(("text", "age"), [
    ("mi hijo tiene 1 año 3 meses y no hace popo", 1.25),
    ("tiene 2 años con 6 meses y no habla", 2.5),
    ("mi hija tiene año y medio y no le salen los dientes", 1.5),
    ("mi bebe recien nacido esta amarillo", 0.0),
    ("mi bebe nacio ayer y lo tienen en cuneros", 0.0),
    ("tengo 62 cubre la consulta del dolor de rodilla?", 62),
    ("tengo 34 me siento cansada y palida", 34),
    ("tengo 38 de fiebre desde ayer", None),  # a temperature
    ("tengo 16 puntadas en la mano", None),  # a count
    ("la atencion del recien nacido para mi hijo de 3 años", 3),  # the figure told wins
])
def test_ages_told_every_way(text, age):
    assert extract_age(text) == age


@pytest.mark.parametrize(("question", "numero"), [
    ("a mi bebe de 4 meses le dio neumotorax, le pusieron un tubo en el pecho, lo cubren?", 45),
    ("mi hija de 2 años tiene quemaduras de tercer grado en los brazos, esta cubierto?", 146),
])
def test_a_child_under_5_is_answered_through_smsxxi_where_its_row_names_the_condition(full_engine, question, numero):
    ans = full_engine.ask(question)
    assert ans.cartera == "SMSXXI" and ans.covered is True
    assert ans.matches[0]["numero"] == numero


def test_the_same_condition_at_30_is_not_answered_through_smsxxi(full_engine):
    ans = full_engine.ask("tengo 30 años y me dio neumotorax, me pusieron un tubo en el pecho, lo cubren?")
    assert ans.cartera != "SMSXXI"


def test_a_long_message_is_answered_by_the_entry_it_describes_far_ahead(full_engine):
    ans = full_engine.ask("tengo 34 me siento cansada mareada y palida, en los analisis salio hemoglobina "
                          "de 9, me dieron sulfato ferroso, me lo cobraron en la farmacia del hospital")
    assert ans.cartera == "CAUSES" and ans.covered is True and ans.matches[0]["numero"] == 28


def test_the_adults_variant_of_a_vaccine_row_written_with_other_initials(full_engine):
    ans = full_engine.ask("soy enfermera de 28 años y me piden la vacuna de hepatitis b para trabajar, me la ponen?")
    assert ans.covered is True and (ans.cartera, ans.matches[0]["numero"]) == ("CAUSES", 11)


def test_a_drug_excluded_alone_is_covered_for_the_condition_named_beside_it(full_engine):
    ans = full_engine.ask("al bebe de 7 meses le diagnosticaron hipertension pulmonar primaria, "
                          "le recetaron sildenafil y oxigeno en casa, lo cubren?")
    assert ans.covered is True and ans.cartera == "SMSXXI"
    assert full_engine.ask("me dan el sildenafil con el seguro?").covered is False
