"""Amounts as round 8's development conversations told them: a figure with thousands that is no
year, slang thousands, "N veces X", change given back and a price said not charged."""

from __future__ import annotations

import pytest

from bot.dialogue import understand as U
from bot.nlu.entities import extract_entities


def monto(text: str):
    found = [e for e in extract_entities(text) if e["entity"] == "monto"]
    return float(found[0]["value"]) if found else None


@pytest.mark.parametrize(("answer", "expected"), [
    ("2,100", 2100), ("2k", 2000), ("2100", 2100), ("cinco lucas", 5000), ("5 lucas", 5000),
    ("una luca", 1000), ("2 mil 100", 2100),
])
def test_the_answer_to_how_much_is_pesos(answer, expected):
    assert U.amount_answer(answer) == expected


@pytest.mark.parametrize("text", ["en 2019", "pague en 2019", "mi hijo lucas"])
def test_a_year_or_a_name_is_no_amount(text):
    assert U.amount(text) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("pague 3 veces 250, una por cada consulta", 750),
    ("tres veces me cobraron 80", 240),
    ("fui 3 veces y me cobraron 250", 250),  # the visits are not what was paid each time
    ("le di 1000 y me dieron 200 de cambio", 800),
    ("pague 900 y me regresaron 300", 600),
    ("pague 350 de la consulta, las medicinas (200) esas no me las cobraron me las dieron gratis", 350),
])
def test_the_charge_is_what_was_paid_net(text, expected):
    assert monto(text) == expected
    assert U.amount_answer(text) == expected
