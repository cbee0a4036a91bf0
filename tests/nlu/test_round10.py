"""Round 10 (stop 32): the policy's home state beside the state where care was sought; how to
complain is a question; medical advice, weather, loans and prize scams are not our matter."""

from __future__ import annotations

import pytest

from bot.dialogue.places import estado_places
from bot.nlu.entities import extract_entities
from bot.nlu.howto import asks_how_to_complain
from bot.nlu.interpret import interpret


def estados(text):
    return [e["value"] for e in extract_entities(text) if e["entity"] == "estado"]


@pytest.mark.parametrize(("text", "estado"), [
    ("no me quisieron atender porque mi poliza es de Guerrero y ahorita estoy en Morelos", "Morelos"),
    ("tengo mi seguro popular de Chiapas, puedo atenderme en Tabasco?", "Tabasco"),
    ("soy de Tlaxcala pero me cobraron en el hospital de Puebla", "Puebla"),
    ("mi mama es de Zacatecas y la atendieron en Aguascalientes", "Aguascalientes"),
])
def test_the_home_state_yields_to_where_care_was_sought(text, estado):
    assert estados(text) == [estado]


def test_a_home_state_named_alone_stays():
    assert estados("soy de Colima y me cobraron 300 en urgencias") == ["Colima"]


def test_the_dialogue_reads_places_with_the_same_words():
    text = "soy de Sonora"
    assert estado_places(text, extract_entities(text)) == "26"  # only the home state: it counts
    assert estado_places(text, extract_entities(text), correction=True) is None


@pytest.mark.parametrize("text", [
    "como puedo poner una queja contra un medico?",
    "a donde voy a quejarme de una enfermera",
    "buenas tardes, cual es el procedimiento para pedir un reembolso",
    "por donde mando mis recibos si quiero reclamar",
])
def test_how_to_complain_is_recognised(text):
    assert asks_how_to_complain(text)


@pytest.mark.parametrize("text", [
    "quiero poner una queja",
    "me cobraron 500 y quiero mi reembolso",
    "como le hago para ver mi queja que meti",
])
def test_a_complaint_or_a_status_question_is_not_a_how_to(text, parser):
    assert not asks_how_to_complain(text) or interpret(text, parser).intent != "solicitud_informacion"


def test_how_to_complain_is_information_unless_the_report_is_told(parser):
    assert interpret("a donde puedo ir a quejarme de un doctor", parser).intent == "solicitud_informacion"
    assert interpret("como pido un reembolso si me cobraron? solo quiero saber como", parser).intent \
        == "solicitud_informacion"
    told = interpret("como pido el reembolso de 800 que me cobraron en el hospital general de Tepic", parser)
    assert told.intent == "cobro_injustificado"


@pytest.mark.parametrize("text", [
    "cuales son los sintomas de la influenza",
    "me duele la cabeza desde ayer, me tomo algo?",
    "me pico un alacran q me pongo",
    "q pasa si me tomo dos paracetamoles juntos",
    "como se cura la tos de perro",
    "q tiempo va a hacer el sabado en Merida",
    "me pueden prestar 300 pesos?",
    "me llego un mensaje que gane un premio del seguro popular y piden 200 de envio",
    "son unos rateros todos los del gobierno",
])
def test_not_our_matter(text, parser):
    assert interpret(text, parser).intent == "fuera_de_alcance"


def test_advice_with_a_coverage_question_stays_ours(parser):
    reading = interpret("cuales son los sintomas del dengue? y si me da me lo cubren?", parser)
    assert reading.intent == "consulta_cobertura"


@pytest.mark.parametrize(("text", "estado"), [
    ("fue en Tlapa d Comonfort", "Guerrero"),  # "de" typed "d" (not Comonfort, Guanajuato)
    ("en el Fray Antonio Alcalde le cobraron 4 mil", "Jalisco"),
    ("en el Hospital del Niño Poblano nos traen a vuelta y vuelta", "Puebla"),
])
def test_places_typed_short_and_hospitals_by_name(text, estado):
    assert estados(text) == [estado]


def test_abbreviations_with_d_still_read():
    assert estados("en el d.f. me cobraron") == ["Ciudad de México"]


def test_an_unsure_praise_that_tells_of_bad_service_is_a_complaint(parser):
    text = ("quiero que sepan que en el hospital de Rioverde no habia ambulancia y lo llevamos en la "
            "camioneta de un vecino, es una verguenza, dicen que todo esta bien y no es cierto")
    assert interpret(text, parser).intent == "queja"
    assert interpret("quiero que sepan que la doctora Ruiz es excelente, muy buena atencion",
                     parser).intent == "felicitacion"
    story = ("quiero contarles que a mi papa lo operaron del corazon en el hospital de Leon, nunca nos "
             "cobraron nada y las enfermeras siempre nos explicaron todo, hoy ya esta en su casa")
    assert interpret(story, parser).intent != "queja"
