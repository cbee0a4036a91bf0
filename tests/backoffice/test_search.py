"""The queue's search box (issue 16, item 4): words without regard to accents or capitals over
the case's texts, the FUR and the notes; phones by their last digits; folios; what the box
means, shown; and an enlace still sees only their estado's cases. Runs on SQLite (folded LIKE)
and on PostgreSQL (Spanish full-text search) alike."""

from __future__ import annotations

import re

import pytest

from core.models import Note
from core.models.search_text import fold
from core.search import interpret
from core.timeutil import today_mx
from tests.support.web import login, text


def _rows(html: str) -> str:
    start = html.find('data-testid="queue"')
    return "" if start < 0 else html[start:html.index("</table>", start)]


def _folios(html: str) -> set[str]:
    return set(re.findall(r"SINAC-\d{4}-\d{6}", _rows(html)))


def _meaning(html: str) -> str:
    match = re.search(r'data-testid="search-meaning"[^>]*>(.*?)</p>', html, re.DOTALL)
    return re.sub(r"\s+", " ", match.group(1)).strip() if match else ""


def _search(client, q: str, **extra) -> str:
    resp = client.get("/volantes/", query_string={"q": q, **extra})
    assert resp.status_code == 200
    return text(resp)


def _note(db, case, body: str) -> None:
    db.add(Note(case_id=case.id, body=body))
    db.commit()


def test_fold_drops_accents_and_capitals():
    assert fold("Cesárea en el HOSPITAL Civil, Año 2026, Pingüino") == "cesarea en el hospital civil, ano 2026, pinguino"
    assert fold(None) is None


def test_words_ignore_accents_and_capitals(client, make, db):
    vinc = make.user("vinculacion")
    make.enlace("14")
    cesarea = make.case(tipo="cobro_injustificado", description="Me cobraron la CESÁREA en el hospital", monto=8000)
    other = make.case(description="No había medicamento para la presión")
    login(client, vinc)
    for q in ("cesarea", "cesárea", "Cesarea", "CESAREA", "cesÁrea"):
        assert _folios(_search(client, q)) == {cesarea.folio}, q
    assert _folios(_search(client, "medicamento presion")) == {other.folio}
    assert _folios(_search(client, "Medicamento  PRESIÓN")) == {other.folio}
    # every word must be found somewhere in the case
    assert _folios(_search(client, "cesarea presion")) == set()


def test_words_in_unidad_fur_and_notes(client, make, db):
    vinc = make.user("vinculacion")
    enlace = make.enlace("14")
    by_unidad = make.case(description="Me negaron la consulta", unidad="Clínica de Medicina Familiar Zapopan")
    by_fur = make.filed_case(description="Tardaron mucho en atenderme")
    fur = by_fur.volantes[0].fur
    fur.acciones = "Se habló con la Dirección Médica del Hospital Civil de Guadalajara."
    fur.respuesta_ciudadano = "La jefatura de enfermería ofrece una disculpa."
    db.commit()
    by_note = make.case(description="Queja por trato")
    _note(db, by_note, "Pedir a la señora la foto del recibo de farmacia")
    mixed = make.case(description="Cobro de ultrasonido")
    _note(db, mixed, "El afiliado mandó el comprobante")
    login(client, vinc)
    assert _folios(_search(client, "clinica zapopan")) == {by_unidad.folio}
    assert _folios(_search(client, "direccion medica")) == {by_fur.folio}
    assert _folios(_search(client, "ENFERMERIA")) == {by_fur.folio}
    assert _folios(_search(client, "senora recibo")) == {by_note.folio}
    assert _folios(_search(client, "señora")) == {by_note.folio}
    # one word in the description, the other in a note
    assert _folios(_search(client, "ultrasonido comprobante")) == {mixed.folio}
    assert enlace  # the FUR was filed by the state's enlace


def test_search_covers_every_status(client, make, db):
    vinc = make.user("vinculacion")
    make.enlace("14")
    closed = make.case(tipo="solicitud_informacion", description="Requisitos de afiliación para mi bebé")
    assert closed.status == "atendida"
    login(client, vinc)
    html = _search(client, "afiliacion bebe")
    assert _folios(html) == {closed.folio}
    assert "en todos los estatus" in _meaning(html)
    html = _search(client, "afiliacion", status="turnada")
    assert _folios(html) == set()
    assert "solo con estatus «Turnada»" in _meaning(html)


def test_last_digits_of_a_phone(client, make, db):
    vinc = make.user("vinculacion")
    make.enlace("14")
    mine = make.case(contact=make.contact("+523312345678"), description="Queja uno")
    typed = make.case(canal="call_center", contacto_telefono="+523398765678", description="Queja dos")
    make.case(contact=make.contact("+523312340000"), description="Queja tres")
    login(client, vinc)
    html = _search(client, "5678")
    assert _folios(html) == {mine.folio, typed.folio}
    meaning = _meaning(html)
    assert "teléfonos que terminan en 5678" in meaning and "folios con número 005678" in meaning
    assert _folios(_search(client, "45678")) == {mine.folio}
    assert _folios(_search(client, "1234 5678")) == {mine.folio}
    assert "teléfonos que terminan en 12345678" in _meaning(_search(client, "1234 5678"))
    assert _folios(_search(client, "33-1234-5678")) == {mine.folio}
    # the full number is never echoed back unmasked in the meaning
    assert "3312345678" not in _meaning(_search(client, "33 1234 5678"))


def test_folios_typed_in_many_ways(client, make, db):
    vinc = make.user("vinculacion")
    make.enlace("14")
    first = make.case(description="Primera queja")
    make.case(description="Segunda queja")
    login(client, vinc)
    year = today_mx().year
    number = int(first.folio[-6:])
    for q in (first.folio.lower(), f"sinac {year}/{number}", f"{year}-{number}", f"folio {number}", f"#{number}",
              str(number)):
        html = _search(client, q)
        assert _folios(html) == {first.folio}, q
        assert "folio" in _meaning(html)


def test_meaning_of_words_is_shown(client, make, db):
    vinc = make.user("vinculacion")
    login(client, vinc)
    meaning = _meaning(_search(client, "Cesárea urgente"))
    assert meaning.startswith("Buscando: «cesarea» y «urgente»")
    assert "sin distinguir acentos ni mayúsculas" in meaning
    assert "textos del FUR y notas" in meaning
    assert _meaning(text(client.get("/volantes/"))) == ""


def test_common_words_are_named_when_postgres_ignores_them(client, make, db, is_postgres):
    if not is_postgres:
        pytest.skip("stop words are a PostgreSQL full-text matter")
    vinc = make.user("vinculacion")
    make.enlace("14")
    case = make.case(description="Me atendieron sin cita en urgencias")
    login(client, vinc)
    html = _search(client, "sin urgencias")
    assert _folios(html) == {case.folio}
    assert "No se buscan palabras muy comunes: sin" in _meaning(html)


def test_enlace_search_stays_in_own_state(client, make, db):
    enlace = make.enlace("14")
    make.enlace("19")
    own = make.case(estado_clave="14", description="Cobro de la cesárea", contact=make.contact("+523311112222"))
    other = make.filed_case(estado_clave="19", description="Cobro de la cesárea en Monterrey",
                            contact=make.contact("+528111112222"))
    _note(db, other, "Nota confidencial de Nuevo León")
    login(client, enlace)
    assert _folios(_search(client, "cesarea")) == {own.folio}
    assert _folios(_search(client, "monterrey")) == set()
    assert _folios(_search(client, "confidencial")) == set()
    assert _folios(_search(client, "director unidad")) == set()  # words of the other state's FUR
    assert _folios(_search(client, "2222")) == {own.folio}
    assert _folios(_search(client, other.folio)) == set()


def test_interpret_kinds(db):
    today = today_mx()
    assert interpret(db, "SINAC-2026-000123", today).kind == "folio"
    assert interpret(db, "folio 12", today).kind == "folio"
    assert interpret(db, "12", today).kind == "folio"
    assert interpret(db, "5678", today).kind == "folio_o_telefono"
    assert interpret(db, "1234567", today).kind == "telefono"
    assert interpret(db, "55 1234 5678", today).kind == "telefono"
    assert interpret(db, "3312 5678", today).kind == "telefono"  # not a folio: no year 3312
    assert interpret(db, "cesárea", today).kind == "palabras"
