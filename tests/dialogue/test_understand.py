"""The deterministic readers under the dialogue."""

from __future__ import annotations

import pytest

from bot.dialogue import understand as U


@pytest.mark.parametrize("text", ["BAJA", "baja", "Alto", "STOP", "cancelar", "ALTO YA", "alto ya!", " Baja. "])
def test_opt_out_words(text):
    assert U.is_opt_out(text)


@pytest.mark.parametrize("text", ["me dieron de baja del seguro", "alto el dolor", "cancelar mi cita", "bajas",
                                  "ALTA", "", None])
def test_not_opt_out(text):
    assert not U.is_opt_out(text)


def test_opt_in_and_menu_words():
    assert U.is_opt_in("ALTA") and U.is_opt_in(" alta ")
    assert not U.is_opt_in("me quiero dar de alta")
    assert U.is_menu("Menú") and U.is_menu("MENU") and not U.is_menu("menú de opciones por favor")


@pytest.mark.parametrize("text,expected", [("3", 3), (" 3. ", 3), ("opción 6", 6), ("#2", 2), ("3500", None),
                                           ("1 queja", None), ("", None)])
def test_menu_digit(text, expected):
    assert U.menu_digit(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("3500", 3500), ("$3,500", 3500), ("fueron 1.200 pesos", 1200), ("3 mil", 3000), ("15 mil", 15000),
    ("tres mil quinientos", 3500), ("mil doscientos", 1200), ("como 600", 600), ("$99.50", 99.5),
    ("no sé", None), ("en 2025", None), ("", None),
])
def test_amount(text, expected):
    assert U.amount(text) == expected


@pytest.mark.parametrize("text,clave", [("jalisco", "14"), ("Jalisko", "14"), ("es Tlaxcala", "29"),
                                        ("edomex", "15"), ("CDMX", "09"), ("en Nuevo León", "19"),
                                        ("Edo. de México", "15"), ("yucatan", "31"), ("no sé", None),
                                        ("mañana", None)])
def test_estado_loose(text, clave):
    assert U.estado_loose(text) == clave


def test_yes_no_and_cancel():
    assert U.is_yes("Sí") and U.is_yes("si, correcto") and U.is_yes("👍") and U.is_yes("OK")
    assert not U.is_yes("si pero fue en Puebla")
    assert U.is_no("NO") and U.is_no("mejor no") and not U.is_no("no, fueron 3500")
    assert U.is_cancel("ya no quiero") and U.is_cancel("olvídalo")


def test_story_detection():
    assert not U.tells_story("quiero poner una queja")
    assert not U.tells_story("hola, quiero reportar un cobro por favor")
    assert U.tells_story("no me quisieron dar la medicina en la clínica")
    assert U.tells_story("me cobraron 150 en el centro de salud de Zapopan")


def test_greeting_prefix_and_hints():
    assert U.after_greeting("Hola buenas tardes, quiero reportar un cobro") == "quiero reportar un cobro"
    assert U.after_greeting("hola") is None
    assert U.keyword_intent("quiero reportar un cobro") == "cobro_injustificado"
    assert U.keyword_intent("quiero saber de mi folio") == "estado_tramite"
    assert U.keyword_intent("el clima") is None


def test_dates_concepto_garbage():
    assert U.relative_date("fue ayer en la tarde") == "ayer"
    assert U.relative_date("hace 3 días") == "hace 3 dias"
    assert U.concepto("me vendieron la insulina") == "insulina"
    assert U.concepto("me cobraron el ultrasonido") == "ultrasonido"
    assert U.concepto("me cobraron la cesarea") == "cesárea"  # the thing, not its family
    assert U.looks_like_garbage("x" * 5000) and U.looks_like_garbage("qwrtp zxcvbn")
    assert not U.looks_like_garbage("no me atendieron")


@pytest.mark.parametrize("text", ["ya no me manden mensajes", "Ya no me manden más mensajes, por favor",
                                  "no me envíen mensajes", "dejen de mandarme mensajes",
                                  "no quiero recibir mensajes"])
def test_explicit_stop_messages_phrases_are_opt_outs(text):
    assert U.is_opt_out(text)


@pytest.mark.parametrize("text", ["ya no me mandan mensajes de mi cita", "no me mandaron mensaje",
                                  "no me dieron la medicina", "ya no"])
def test_complaints_about_messages_are_not_opt_outs(text):
    assert not U.is_opt_out(text)


@pytest.mark.parametrize("text", ["cancelar por favor", "quiero cancelar", "mejor lo dejo así", "ya no",
                                  "olvídalo", "cancela el reporte porfa", "ya no quiero seguir", "mejor ya no"])
def test_whole_message_cancellations(text):
    assert U.is_clear_cancel(text) and U.is_cancel(text)


@pytest.mark.parametrize("text", ["no cancelar", "no, fueron 3500", "cancelaron mi cita",
                                  "ya no quiero que me atiendan ahí", "no me atendieron", ""])
def test_not_whole_message_cancellations(text):
    assert not U.is_clear_cancel(text)


@pytest.mark.parametrize("text,expected", [
    ("como 300 creo, en la farmacia del hospital", 300), ("unos 250 pesos", 250), ("aprox $1,200", 1200),
    ("300 más o menos", 300), ("como tres mil creo", 3000), ("casi mil quinientos", 1500),
    ("como a las 4", None), ("como 3 horas", None), ("fue como el 15 de marzo", None),
    ("me atendieron como 5 veces", None), ("me cobraron la consulta", None), ("", None),
])
def test_approximate_amount(text, expected):
    assert U.approx_amount(text) == expected


def _spans(text: str, *numbers: str) -> list[tuple[float, int, int]]:
    out, pos = [], 0
    for n in numbers:
        start = text.index(n, pos)
        pos = start + len(n)
        out.append((float(n), start, pos))
    return out


@pytest.mark.parametrize("text,numbers,expected", [
    ("me cobraron 250 la consulta y 180 la vacuna", ("250", "180"), (430, True)),
    ("la consulta 250, el estudio 600", ("250", "600"), (850, True)),
    ("no eran 300, eran 350", ("300", "350"), (350, False)),
    ("300 no 350", ("300", "350"), (350, False)),
    ("250 la consulta y 180 la vacuna, en total 430", ("250", "180", "430"), (430, False)),
    ("me cobraron 500", ("500",), (500, False)),
])
def test_combine_amounts(text, numbers, expected):
    assert U.combine_amounts(text, _spans(text, *numbers)) == expected


def test_conceptos_in_order():
    assert U.conceptos("me cobraron 250 la consulta y 180 la vacuna") == ["consulta", "vacuna"]
    assert U.conceptos("la vacuna 180 y la consulta 250") == ["vacuna", "consulta"]
    assert U.conceptos("me trataron mal") == []


def test_readers_for_the_way_people_confirm_correct_and_write_amounts():
    assert U.is_yes("Sí señorita, así está bien, Dios se lo pague")
    assert not U.is_yes("si pero fueron 300")
    assert U.last_amount("no espera, fueron 1800 no 1500, me equivoque") == 1800  # the negated one passed over
    assert U.last_amount("no eran 300, eran 350") == 350
    assert U.amount("1 200 pesos") == 1200  # thousands with a space
    assert U.amount("350 200") == 350  # two figures stay two
    assert U.amount("cuatrosientos cincuenta") == 450  # as people spell it
    assert not U.asks_for_human("Soy una persona mayor y no sé mucho de esto")
    assert U.asks_for_human("quiero que me atienda una persona")
