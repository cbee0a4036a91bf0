"""Thoughts of suicide or self-harm: the person hears where to get help now (911, Línea de la
Vida), never "solo puedo ayudarte con temas del Seguro Popular", and no report is opened."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.nlu.signals import in_crisis
from core.models import Case
from tests.dialogue.conftest import joined


@pytest.mark.parametrize(("text", "crisis"), [
    ("ya no quiero vivir, nadie me quiere", True),
    ("ME QUIERO MORIR YA NO AGUANTO", True),
    ("pense en suicidarme anoche", True),
    ("mi hijo dice que se va a matar", True),
    ("mi hija se corta los brazos", True),
    ("se me murio mi papa en el hospital", False),
    ("casi me muero del dolor de muela", False),
    ("se corta la luz a cada rato en el hospital", False),
    ("el suicidio de mi primo salio en las noticias", False),
])
def test_crisis_is_read_from_wishes_to_die_or_to_hurt_oneself(text, crisis):
    assert in_crisis(text) is crisis


def test_a_crisis_message_gets_the_helplines_and_nothing_else(phone, db):
    phone.send("hola")
    text = joined(phone.send("ya no quiero vivir, nadie me quiere"))
    assert "800 911 2000" in text and "911" in text
    assert "Solo puedo ayudarte" not in text
    assert db.scalars(select(Case)).all() == []


def test_a_crisis_in_the_middle_of_a_report_keeps_the_report_for_later(phone, db):
    phone.send("me cobraron 500 de la consulta en el centro de salud de Zapopan")
    text = joined(phone.send("ya no quiero vivir"))
    assert "800 911 2000" in text
    text = joined(phone.send("si"))  # the summary is still waiting for its answer
    [case] = db.scalars(select(Case)).all()
    assert case.tipo == "cobro_injustificado" and case.monto == 500
