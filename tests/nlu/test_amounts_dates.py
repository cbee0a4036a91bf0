"""Amounts (monto) and dates (fecha) read the way people write them: dictated cents, an amount
written twice, ages and dates that are no amounts, several charges listed, counts told apart from
the amount; days of the month said alone, weekdays with their day, holidays, "hace un rato"."""

from __future__ import annotations

import pytest

from bot.nlu.entities import extract_entities
from bot.nlu.fechas import relative_when
from bot.nlu.numbers import number_runs, spoken_cents, words_to_number


def monto(text: str):
    found = [e for e in extract_entities(text) if e["entity"] == "monto"]
    assert len(found) <= 1
    return float(found[0]["value"]) if found else None


def fecha(text: str):
    found = [e for e in extract_entities(text) if e["entity"] == "fecha"]
    return found[0]["value"] if found else None


@pytest.mark.parametrize(("text", "expected"), [
    # dictated cents
    ("me cobraron seiscientos veinte punto cincuenta por la curación", 620.5),
    ("pagué 980 pesos con 40 centavos en la farmacia del hospital", 980.4),
    ("me cobraron tres mil pesos coma cero cero por el yeso", 3000),
    # the same amount in figures and in words, and the thousands written twice
    ("me cobraron $2,400.00 (dos mil cuatrocientos pesos) por la resonancia", 2400),
    ("pagamos 7,200 mil pesos por la operación de mi tío", 7200),
    # an age or a day beside the amount is neither added nor taken for it
    ("me cobraron 4 mil por la hernia de mi abuelo de 72", 4000),
    ("pagué 950 por los análisis, mi papá tiene 81", 950),
    ("me cobraron 640 por la placa el jueves 18", 640),
    ("me cobraron 1,100 en la farmacia del hospital el 19", 1100),
    # a unit or a date next to another figure does not hide this one
    ("me pidieron 30 dólares, digo, 300 pesos por la consulta", 300),
    ("pagué 720 la semana antepasada por unas radiografías", 720),
    ("gasté 560 el fin de semana en el hospital por las medicinas", 560),
    # several charges listed with what each paid for
    ("me cobraron 150 de consulta 220 de laboratorio y 80 de receta", 450),
    # how many times, told apart from the amount
    ("cobran 120 por cada inyección y ya me pusieron tres", 360),
    ("van 4 terapias y pago 250 por cada terapia", 1000),
    ("fui tres veces y las tres veces me cobraron 90", 270),
    # the amount after its cue, past a place name that a comma closes
    ("me cobraron la placa en el laboratorio del hospital, 780", 780),
    ("el camillero me vendió las gasas, me las dio en 260", 260),
    # money owed or to be given back, named by what it paid for
    ("en caja me dijeron que debía 2,750 de la hospitalización", 2750),
    ("cuándo me regresan los 1,300 del legrado?", 1300),
    ("¿ya salió lo de los 870 de la tomografía?", 870),
])
def test_amounts_as_people_write_them(text, expected):
    assert monto(text) == expected


@pytest.mark.parametrize("text", [
    "mi suegro de 66 estuvo internado 5 días",
    "cubren la operación de cadera para una señora de 70?",
    "me dieron el 40% de descuento en la cuota",
    "me cobraron el 30 por ciento de la cirugía",
    "la cama 17 no tiene sábanas",
    "llegué a las 9 de la mañana y me atendieron a las 2",
])
def test_ages_percentages_beds_and_times_are_no_amounts(text):
    assert monto(text) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("el 1ro de agosto me negaron la consulta", "1ro de agosto"),
    ("me cobraron la vacuna el 7 de este mes", "7 de este mes"),
    ("el día veintidós de este mes me dieron de alta", "día veintidós de este mes"),
    ("me cobraron 300 en urgencias el sábado 9", "sábado 9"),
    ("me hicieron pagar la placa el día 4, la compré afuera", "día 4"),
    ("salió del hospital el 21", "el 21"),
    ("me cobraron la consulta el 8, y no me dieron recibo", "el 8"),
    ("la segunda semana de mayo no hubo doctor", "segunda semana de mayo"),
    ("el primer lunes del mes pasado me trataron mal", "primer lunes del mes pasado"),
    ("en semana santa cerraron el centro de salud", "en semana santa"),
    ("el día de reyes me cobraron la consulta", "el día de reyes"),
    ("me cobraron 100 hace un rato", "hace un rato"),
    ("fui a urgencias hace como 15 días", "hace como 15 días"),
    ("me vacunaron hace un par de semanas", "hace un par de semanas"),
    ("me cobraron la placa el mes antepasado", "el mes antepasado"),
    ("me trataron mal en la consulta del jueves", "del jueves"),
    ("no hubo medicinas en todo octubre", "octubre"),
    ("me cobraron la consulta a principios de mes", "a principios de mes"),
    ("me cobraron el estudio antenoche", "antenoche"),
    ("perdí la póliza hace 3 semanas", "hace 3 semanas"),
])
def test_dates_as_people_write_them(text, expected):
    assert fecha(text) == expected


@pytest.mark.parametrize("text", [
    "está internado en el 14",  # a room, not a day
    "la cama del 12 tiene chinches",
    "q onda con el partido del domingo",
    "no ha venido el doctor en toda la semana",
    "necesito el comprobante de hace un año?",
    "desde hace 2 semanas no hay doctor",
    "mi hijo de 8 meses tiene tos",
    "me dijeron que la tome al día 2 veces",
    "tengo dolor de espalda hace 3 semanas",
])
def test_places_durations_and_events_are_no_dates(text):
    assert fecha(text) is None


@pytest.mark.parametrize(("words", "expected"), [
    ("punto cincuenta", (0.5, 2)),
    ("punto cinco", (0.5, 2)),
    ("punto 05", (0.05, 2)),
    ("pesos con veinte centavos", (0.2, 4)),
    ("coma cero cero", (0.0, 3)),
    ("con 20 de propina", None),
    ("coma dos consultas", None),
    ("coma cincuenta", (0.5, 2)),
    ("pesos por la consulta", None),
])
def test_spoken_cents(words, expected):
    assert spoken_cents(words.split()) == expected


def test_thousands_written_twice_are_read_once():
    assert words_to_number(["4,500", "mil"]) == 4500
    assert words_to_number(["4", "mil"]) == 4000


def test_the_dialogue_reads_dictated_cents_with_the_same_table():
    # bot/dialogue/understand.py reads answers through number_runs
    assert [v for v, _s, _e in number_runs("fueron mil trescientos punto cincuenta")] == [1300.5]
    assert [v for v, _s, _e in number_runs("980 pesos con 40 centavos y 200")] == [980.4, 200]


@pytest.mark.parametrize(("text", "expected"), [
    ("fue antier en la noche", "antier"),
    ("creo que fue hace unos 4 días", "hace unos 4 dias"),
    ("esta mañana", "esta manana"),
    ("desde hace un mes no hay doctor", None),  # how long, not when
    ("1500", None),
])
def test_the_dialogue_reads_a_relative_when_with_the_same_rule(text, expected):
    # bot/dialogue/understand.relative_date answers "¿cuándo fue?" through it
    assert relative_when(text) == expected
