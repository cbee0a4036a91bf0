"""Normalisers and rule extractors, usable without the classifier."""

from __future__ import annotations

import pytest

from bot.nlu import extract_entities, normalize_folio, normalize_text
from bot.nlu.numbers import parse_digits, words_to_number
from core.estados import NOMBRES
from core.text.curp import check_digit, is_valid_curp


def ents(text, kind=None):
    found = extract_entities(text)
    for e in found:
        assert text[e["start"] : e["end"]], e  # offsets index the original text
    return [(e["entity"], e["value"]) for e in found if kind is None or e["entity"] == kind]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("HOLAAAA Buenos Días!!!", "hola buenos dias"),
        ("q onda xq no m atienden", "que onda porque no m atienden"),
        ("tmb me cobraron 😡", "tambien me cobraron emojienojo"),
        ("Sí, está bien 👍", "si esta bien emojiok"),
        ("", ""),
        (None, ""),
        (b"\xff\xfe hola", "hola"),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("SINAC-2026-000123", "SINAC-2026-000123"),
        ("sinac 2026/123", "SINAC-2026-000123"),
        ("mi folio es el 2026 123", "SINAC-2026-000123"),
        ("Sinac2026000123", "SINAC-2026-000123"),
        ("S1NAC-2O26-OOO321", "SINAC-2026-000321"),
        ("folio sinac #2025-4411 porfa", "SINAC-2025-004411"),
        ("2026-45", "SINAC-2026-000045"),
        ("folio 123", None),
        ("hola", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_folio(raw, expected):
    assert normalize_folio(raw) == expected


def test_curp_check_digit():
    assert check_digit("GOMR850312MJCNRS0") == "2"
    assert is_valid_curp("GOMR850312MJCNRS02")
    assert is_valid_curp("gomr850312mjcnrs02")
    assert not is_valid_curp("GOMR850312MJCNRS03")  # wrong check digit
    assert not is_valid_curp("GOMR851312MJCNRS02")  # month 13
    assert not is_valid_curp("GOMR850312MJCNRS0")


@pytest.mark.parametrize(
    "token, value",
    [("350", 350), ("1,200", 1200), ("1,200.50", 1200.5), ("1.500", 1500), ("350.50", 350.5),
     ("$2,000", 2000), ("3k", 3000), ("12,00", 12.0)],
)
def test_parse_digits(token, value):
    assert parse_digits(token) == value


@pytest.mark.parametrize(
    "words, value",
    [("mil doscientos", 1200), ("3 mil", 3000), ("dos mil quinientos", 2500),
     ("trescientos cincuenta", 350), ("treinta y cinco", 35), ("2 mil 500", 2500),
     ("mil y medio", 1500), ("cien", 100), ("veinte mil", 20000)],
)
def test_words_to_number(words, value):
    assert words_to_number(words.split()) == value


@pytest.mark.parametrize(
    "text, value",
    [
        ("me cobraron $350 en la consulta", 350),
        ("pague 350 pesos por el ultrasonido", 350),
        ("me cobraron 1,200 por el parto", 1200),
        ("me cobraron mil doscientos por la cesarea", 1200),
        ("tuve que pagar 3 mil de la operacion", 3000),
        ("tuve que pagar 800 por el ultrasonido", 800),
        ("me salio en 2 mil 500 el parto", 2500),
        ("pague $1,450.50 de laboratorio", 1450.5),
        ("fueron quinientos pesos", 500),
        ("no me atendieron hasta que pague 200 de cuota", 200),
    ],
)
def test_monto_values(text, value):
    assert ents(text, "monto") == [("monto", value)]
    assert isinstance(ents(text, "monto")[0][1], int | float)


@pytest.mark.parametrize(
    "text",
    [
        "mi hijo tiene 3 años y no lo atienden",
        "tengo 35 años",
        "me cobraron la consulta, mi folio es 2026 123",
        "folio SINAC-2026-000350",
        "me dieron cita el 15 de marzo",
        "me hicieron esperar 5 horas",
        "gaste 300 pesos de taxi y no me atendieron",
        "no tengo ni 50 pesos para el pasaje",
        "vendo tamales a 15 pesos",
        "me cobraron la consulta a las 8 de la mañana",
        "mi telefono es 5512345678, me cobraron la consulta",
        "tuve que ir 3 veces a pagar",
        "mi curp es GOMR850312MJCNRS02 y me cobraron la consulta",
    ],
)
def test_monto_ignores_numbers_that_are_not_money_charged(text):
    assert ents(text, "monto") == []


@pytest.mark.parametrize(
    "text, estado",
    [
        ("vivo en cdmx", "Ciudad de México"),
        ("soy del DF", "Ciudad de México"),
        ("en el edomex no atienden", "Estado de México"),
        ("en Monterrey me cobraron", "Nuevo León"),
        ("soy de nuevo leon", "Nuevo León"),
        ("soy de leon guanajuato", "Guanajuato"),
        ("vivo en yucatan", "Yucatán"),
        ("en merida", "Yucatán"),
        ("en michoacan", "Michoacán"),
        ("estoy en el estado de mexico", "Estado de México"),
        ("en Zapopan", "Jalisco"),
        ("en queretaro", "Querétaro"),
        ("san luis potosi", "San Luis Potosí"),
        ("en Cancún", "Quintana Roo"),
    ],
)
def test_estado_values_are_official_names(text, estado):
    values = [v for k, v in ents(text) if k == "estado"]
    assert values and values[0] == estado
    assert all(v in NOMBRES for v in values)


@pytest.mark.parametrize(
    "text",
    [
        "vivo en la calle hidalgo",
        "me atendio el doctor guerrero",
        "vivo en mexico",
        "av morelos numero 5",
        "quiero ver a mi mama",
    ],
)
def test_estado_not_from_streets_surnames_or_country(text):
    assert ents(text, "estado") == []


def test_brief_example_entities():
    text = "me cobraron 350 en el centro de salud de zapopan"
    found = extract_entities(text)
    assert {"entity": "monto", "value": 350, "start": 12, "end": 15} in found
    unidad = [e for e in found if e["entity"] == "unidad"]
    assert unidad[0]["value"] == "centro de salud de zapopan"
    assert text[unidad[0]["start"] : unidad[0]["end"]] == "centro de salud de zapopan"
    assert ("estado", "Jalisco") in ents(text)


@pytest.mark.parametrize(
    "text, unidad",
    [
        ("fui al Hospital General de Ecatepec y nada", "Hospital General de Ecatepec"),
        ("en el hospital civil me trataron mal", "hospital civil"),
        ("en la UMF 33 no hay doctor", "UMF 33"),
        ("el centro de salud San Juan no abre", "centro de salud San Juan"),
        ("en el hospital de la mujer me cobraron", "hospital de la mujer"),
        ("centro de salud de la colonia obrera", "centro de salud de la colonia obrera"),
    ],
)
def test_unidad_as_written(text, unidad):
    assert ents(text, "unidad") == [("unidad", unidad)]


@pytest.mark.parametrize(
    "text",
    ["fui al centro de salud y no me atendieron", "el hospital abre a las 8",
     "en la clinica de mi pueblo", "me cobraron la cama del hospital 1500 por noche"],
)
def test_unidad_needs_a_name(text):
    assert ents(text, "unidad") == []


@pytest.mark.parametrize(
    "text, fecha",
    [
        ("me cobraron el 15/03/2026", "15/03/2026"),
        ("fui el 3 de Marzo y no me atendieron", "3 de Marzo"),
        ("desde el 5 de enero de 2026", "5 de enero de 2026"),
        ("el lunes 2 de febrero", "lunes 2 de febrero"),
        ("el primero de mayo", "primero de mayo"),
    ],
)
def test_fecha_as_written(text, fecha):
    assert ents(text, "fecha") == [("fecha", fecha)]


@pytest.mark.parametrize(
    "text, fecha",
    [
        ("me cobraron hace 3 dias", "hace 3 dias"),
        ("la renové en marzo", "marzo"),
        ("no hay salbutamol desde diciembre", "diciembre"),
        ("fue la semana pasada", "la semana pasada"),
    ],
)
def test_when_it_happened_is_a_fecha(text, fecha):
    assert ents(text, "fecha") == [("fecha", fecha)]


@pytest.mark.parametrize(
    "text",
    ["no hay doctor desde hace tres semanas", "hace 2 meses que no le dan la metformina",
     "que el doctor venga 2 veces a la semana", "mayo es mi mes favorito"],
)
def test_how_long_or_how_often_is_not_a_fecha(text):
    assert ents(text, "fecha") == []


def test_curp_entity_needs_the_structure_not_the_check_digit():
    assert ents("mi curp es gomr850312mjcnrs02", "curp") == [("curp", "GOMR850312MJCNRS02")]
    # a slip in the last character keeps the CURP; staff forms still demand the check digit
    assert ents("mi curp es GOMR850312MJCNRS03", "curp") == [("curp", "GOMR850312MJCNRS03")]
    assert ents("mi curp es GOMR851312MJCNRS02", "curp") == []  # month 13
    assert ents("mi curp es GOMR850312MZZNRS02", "curp") == []  # no such state


def test_folio_entity():
    assert ents("como va mi folio sinac 2026/123", "folio") == [("folio", "SINAC-2026-000123")]
    assert ents("tengo el folio 4567", "folio") == [("folio", "4567")]
    assert ents("2026 123", "folio") == [("folio", "SINAC-2026-000123")]
    assert ents("nacio en 2026 123 niños", "folio") == []


@pytest.mark.parametrize(
    "text", ["", "   ", "👍🎉🌮", "\x00\x01\xff" * 50, "a" * 6000, "[](){}$$$ 1,,,2...3"]
)
def test_extractors_never_fail(text):
    assert isinstance(extract_entities(text), list)
