"""How many times an amount was paid: only when the message says so ("3 sesiones de 1800",
"$900 por día" with "3 días"); a "por" that means "for" never multiplies."""

from __future__ import annotations

import pytest

from bot.nlu.entities import extract_entities


def monto(text: str):
    found = [e for e in extract_entities(text) if e["entity"] == "monto"]
    return float(found[0]["value"]) if found else None


@pytest.mark.parametrize(("text", "expected"), [
    ("me cobraron 3 sesiones de 1800", 5400),
    ("estuvo internada 3 dias, $900 por dia", 2700),
    ("me cobraron dos terapias a 250 cada una", 500),
    ("me cobraron 1200 por unos rayos x en el imss de puebla hace 3 dias", 1200),
    ("pague 450 por la consulta y fue hace 2 semanas", 450),
    ("me pidieron 300 por el material, ya van 2 veces que voy", 300),
    ("pague 800 por el ultrasonido, fue hace 5 dias", 800),
])
def test_an_amount_is_multiplied_only_when_the_message_says_how_many_times(text, expected):
    assert monto(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("en el hospital me están pidiendo 3 mil de depósito para recibirla", 3000),
    ("me dijeron que me devolvían los 2 mil 300 de la cesárea y nada", 2300),
    ("tengo 3 mil de deuda con el banco", None),  # money, but not a charge
])
def test_money_asked_for_or_owed_back_is_a_monto(text, expected):
    assert monto(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("pague 2 de a cien", 200),  # "de a" is "each"
    ("3 cajas de a 150", 450),  # and money with no other cue
    ("eran 3 ampolletas de 250 c/u", 750),
    ("me cobraron dos a 1200 cada una", 2400),
    ("me pidieron 2 bolsas de suero de 85 cada una", 170),  # any counted thing
    ("mi hijo de 4 años, me cobraron 300 cada consulta", 300),  # an age is not a count
    ("me cobraron 500 de la consulta", 500),
    ("me cobraron 3 cajas d medicina d a 150", 450),  # "d a" typed short
    ("lleve a mis tres hijos a consulta y me cobraron 200 por cada uno", 600),
    ("me hicieron 2 ultrasonidos y los dos me los cobraron a 900", 1800),
    ("fui 5 veces a consulta y cada vez me cobran 80 pesos de cuota", 400),
    ("una semana estuvo internada y nos cobraron 400 x dia", 2800),  # a week of days
    ("gano 800 a la semana y me cobraron 500 de la consulta", 500),  # a wage is not the charge
    ("pague 800 la semana pasada", 800),
])
def test_a_price_each_is_multiplied_by_the_count_before_it(text, expected):
    assert monto(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("la consulta 250 y la medicina 300", 550),  # right after what it paid for
    ("me bajaron 400 en el centro de salud", 400),
    ("tengo cita de consulta 15 de marzo", None),
    ("estuve en el cuarto 305 del hospital", None),
])
def test_money_named_right_after_what_it_paid_for(text, expected):
    assert monto(text) == expected
