"""Round 11 (stop 33): out-of-scope messages close to the program (medical advice, sellers,
the press, private specialists), the program's own things read as the program, service refused
told as a complaint, charges told as a condition or a purchase, folios and amounts as people
copy them."""

from __future__ import annotations

import pytest

from bot.dialogue.places import likelier_estado
from bot.nlu import get_parser, normalize_folio
from bot.nlu.charges import describes_charge
from bot.nlu.entities import extract_entities
from bot.nlu.howto import asks_how_to_complain
from bot.nlu.interpret import interpret
from bot.nlu.signals import is_opt_out


@pytest.fixture(scope="module")
def parser():
    return get_parser()


def entity(text, name):
    return [e["value"] for e in extract_entities(text) if e["entity"] == name]


@pytest.mark.parametrize("text", [
    "con cuantos mg de paracetamol le doy a mi niño de 20 kilos",
    "es normal que me duela la cabeza despues de la vacuna o voy a urgencias?",
    "como le bajo la fiebre a mi bebe sin medicina",
    "q significa q mi glucosa salio en 180 en ayunas",
    "soy vendedora de material de curacion, con quien hablo para ofrecer nuestros productos",
    "buenas tardes, soy periodista de un diario de Colima y quisiera una entrevista",
    "cuanto cobra un pediatra particular en Merida?",
    "con cuantos mg de losartan empiezo?",
    "se puede dar paracetamol a una embarazada?",
    "quiero poner una queja contra el chofer de la ruta 7, casi me atropella",
])
def test_close_to_the_program_but_not_its_matter(text, parser):
    assert interpret(text, parser).intent == "fuera_de_alcance"


@pytest.mark.parametrize("text", [
    "a que hora abren el MAO de Tapachula",
    "donde tramito la constancia de afiliacion para la escuela de mi hijo",
])
def test_the_programs_own_things_are_the_program(text, parser):
    assert interpret(text, parser).intent == "solicitud_informacion"


def test_nurses_on_their_phones_answering_rudely_is_a_complaint(parser):
    r = interpret("las enfermeras del turno de noche en el hospital de Tuxpan se la pasan en el cel y mi papa "
                  "tocando el timbre, tuve que ir yo a buscarlas y me contestaron feo", parser)
    assert r.intent == "queja"


def test_a_dirty_unit_is_a_complaint(parser):
    assert interpret("hay cucarachas en el cuarto de hospitalizacion del hospital de Escarcega", parser).intent == "queja"


def test_service_refused_told_is_a_complaint(parser):
    r = interpret("en el modulo de afiliacion de Tuxpan no me quisieron renovar la poliza porque llegue tarde", parser)
    assert r.intent == "queja"


def test_a_refusal_asked_about_stays_a_question(parser):
    r = interpret("en el centro de salud me dijeron q no tengo vigencia, como lo reviso yo", parser)
    assert r.intent == "solicitud_informacion"


@pytest.mark.parametrize("text", [
    "me dijeron o pagas 800 o no te atendemos",
    "no habia el jarabe y compramos el jarabe en 190",
    "antes de la cirugia me exigieron dejar 15 mil de anticipo",
    "no me dieron la medicina de la presion y la tuve q comprar",
])
def test_charges_told_without_the_word(text):
    assert describes_charge(text)


@pytest.mark.parametrize(("text", "folio"), [
    ("revisen mi folio 2026000777 x favor", "SINAC-2026-000777"),
    ("como va lo mio, el folio 614 del 2026", "SINAC-2026-000614"),
    ("mi numero de folio es 045/2026", "SINAC-2026-000045"),
])
def test_folios_as_people_copy_them(text, folio):
    assert normalize_folio(text) == folio


@pytest.mark.parametrize("text", ["me cobraron 500 el 3 de 2026", "la poliza vence 12/2026"])
def test_dates_are_not_folios(text):
    assert normalize_folio(text) is None


@pytest.mark.parametrize(("text", "monto"), [
    ("nos cobraron la cama 400 por noche 2 noches en el hospital", 800),
    ("la sangre la tuvimos q pagar, 1,750 cada unidad y fueron 2, en el hospital general", 3500),
    ("hola mi poliza es la 2025-4411 y me cobraron 280 en el centro de salud", 280),
    ("dies mil pesos nos cobraron x la hospitalizacion", 10000),
    ("nos pidieron 800 pa la gasolina d la ambulancia", 800),
    ("me dijeron q la consulta era de 200 porque no traia la poliza", 200),
    ("compramos el jarabe en 190, Agua Prieta", 190),
])
def test_amounts_as_people_tell_them(text, monto):
    assert entity(text, "monto") == [monto]


def test_a_bill_is_still_not_a_charge():
    assert entity("este mes pague 500 de luz", "monto") == []


@pytest.mark.parametrize(("text", "unidad"), [
    ("pague la consulta 100 en el CS de Jalpan de Serra", "CS de Jalpan de Serra"),
    ("me cobraron 350 en el CAPASITS de Veracruz", "CAPASITS de Veracruz"),
    ("pague el parto en el materno de Celaya", "materno de Celaya"),
    ("me cobraron en el general d Leon", "general d Leon"),
])
def test_units_as_people_name_them(text, unidad):
    assert entity(text, "unidad") == [unidad]


@pytest.mark.parametrize("text", [
    "como le hago para q me regresen lo q me cobraron?",
    "cuanto tiempo tengo para pedir el reembolso?",
])
def test_reimbursement_questions_are_how_to_questions(text):
    assert asks_how_to_complain(text)


@pytest.mark.parametrize("text", [
    "este numero era de mi mama que ya fallecio, favor de sacarlo de su lista para que no le lleguen mas avisos",
    "ya no quiero q me lleguen sus mensajes",
])
def test_opt_out_in_the_persons_words(text):
    assert is_opt_out(text)


def test_news_of_a_missing_reminder_is_not_an_opt_out():
    assert not is_opt_out("ya no me llegan los avisos de mi cita")


def test_a_charge_and_a_question_in_one_message_are_both_read(parser):
    r = interpret("me pidieron 400 por el ultrasonido en el hospital de Iguala, y tmb queria saber si "
                  "cubren la cesarea", parser)
    assert {r.intent, *r.secondary} >= {"cobro_injustificado", "consulta_cobertura"}


@pytest.mark.parametrize(("text", "clave"), [
    ("en juarez me cobraron 300", "08"),
    ("en el Salvatierra de La Paz me pidieron 750", "03"),
    ("me trataron mal en benito juarez", None),
])
def test_the_likelier_state_of_a_town_in_two(text, clave):
    assert likelier_estado(text) == clave
