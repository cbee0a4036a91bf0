"""Round 9 (stop 31): units named by a known place, rough and exact figures, restated charges,
document numbers, change given back; another institution's paperwork and crisis messages."""

from __future__ import annotations

import pytest

from bot.nlu.entities import extract_entities
from bot.nlu.interpret import Interpreter


def values(text, name):
    return [e["value"] for e in extract_entities(text) if e["entity"] == name]


@pytest.mark.parametrize(("text", "unidad"), [
    ("1500 varos me bajaron x una radiografia en el hospital de Ciudad Juarez", "hospital de Ciudad Juarez"),
    ("no tienen tiras reactivas en el centro de salud de Ramos Arizpe", "centro de salud de Ramos Arizpe"),
    ("en la maternidad de Tlalpan me pidieron 2 mil", "maternidad de Tlalpan"),
    ("pague 3000 x la cesarea en el hospital materno de Celaya", "hospital materno de Celaya"),
])
def test_units_named_by_a_known_place(text, unidad):
    assert values(text, "unidad") == [unidad]


@pytest.mark.parametrize(("text", "monto"), [
    ("me cobraron 11 mil y feria por la cirugia en Cd Obregon, fueron 11,300", 11300),
    ("me cobraron como mil y pico, creo q 1,150, por el yeso", 1150),
    ("pague 800 y me regresaron 200 de descuento, osea si me cobraron 600", 600),
    ("me cobraron 1 200 pesos por la endoscopia, folio del recibo 45821", 1200),
    ("me cobraron como 500 y luego otros 600 de medicina", 1100),
    ("pague 300 de consulta y 300 de medicina", 600),
])
def test_amounts_told_roughly_restated_or_beside_a_document_number(text, monto):
    assert values(text, "monto") == [monto]


def test_the_imss_own_paperwork_and_complaints_are_out_of_scope(parser):
    interpreter = Interpreter(parser)
    for text in ("quiero poner una queja contra el imss de Hermosillo por mal servicio",
                 "necesito la constancia de vigencia de derechos del issste"):
        assert interpreter.parse(text)["intent"]["name"] == "fuera_de_alcance"
