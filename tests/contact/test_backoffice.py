"""The case page's «Escribir a la persona afiliada»: who may write, what is sent (through the
real stand-in), what the page and its timeline show, and that the phone stays masked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import InfoRequest, Message
from core.phones import mask_phone
from core.timeutil import now
from tests.support.web import login, post, text

AFFILIATE = "+523312340002"


@pytest.fixture
def turned(make, db):
    enlace = make.enlace("14", nombre="Enlace Jalisco")
    contact = make.contact(AFFILIATE, last_inbound_at=now())
    case = make.case("cobro_injustificado", "14", contact=contact, monto=450, description="Me cobraron el ultrasonido")
    return enlace, case


def test_the_enlace_asks_for_the_receipt_without_seeing_the_phone(sclient, make, db, standin, turned):
    enlace, case = turned
    login(sclient, enlace)
    page = text(sclient.get(f"/casos/{case.id}"))
    assert "Escribir a la persona afiliada" in page and "Pedir foto del recibo" in page
    assert AFFILIATE not in page and f"al {mask_phone(AFFILIATE)}" in page  # masked, as in the case data
    resp = post(sclient, f"/casos/{case.id}/escribir", {"preset": "recibo", "body": ""}, page=f"/casos/{case.id}",
                follow_redirects=True)
    page = text(resp)
    assert "Solicitud enviada por WhatsApp. El plazo queda en pausa hasta que la persona responda." in page
    assert "Solicitud de información · Esperando respuesta" in page
    assert "Solicitud de información a la persona afiliada" in page  # the timeline
    assert "Plazo pausado" in page and "Pedir foto del recibo" not in page  # one open request at a time
    [sent] = standin.messages(to=f"whatsapp:{AFFILIATE}")
    assert "foto del recibo" in sent["body"] and case.folio in sent["body"]
    assert AFFILIATE not in page
    db.expire_all()
    assert db.scalar(select(InfoRequest)).requested_by_id == enlace.id

    resp = post(sclient, f"/casos/{case.id}/solicitudes/{db.scalar(select(InfoRequest.id))}/cerrar",
                page=f"/casos/{case.id}", follow_redirects=True)
    assert "Solicitud cerrada sin respuesta; el plazo vuelve a correr." in text(resp)
    assert "Cerrada sin respuesta" in text(resp)


def test_another_estado_gets_404_and_other_roles_403_and_nothing_is_sent(sclient, make, db, standin, turned):
    _enlace, case = turned
    login(sclient, make.enlace("19"))
    assert post(sclient, f"/casos/{case.id}/escribir", {"body": "Hola", "modo": "solicitud"}).status_code == 404
    sclient.get("/logout")
    for role in ("participacion_social", "admin"):
        client = sclient.application.test_client()
        login(client, make.user(role))
        assert post(client, f"/casos/{case.id}/escribir", {"body": "Hola"}, page=f"/casos/{case.id}").status_code == 403
    assert standin.messages() == []
    assert db.scalars(select(Message).where(Message.direction == "outbound")).all() == []


def test_vinculacion_writes_a_message_and_errors_keep_the_text(sclient, make, db, standin, turned):
    _enlace, case = turned
    login(sclient, make.user("vinculacion", nombre="Operadora"))
    resp = post(sclient, f"/casos/{case.id}/escribir", {"body": "   ", "modo": "mensaje"}, page=f"/casos/{case.id}")
    assert resp.status_code == 422 and "Escribe el mensaje para la persona afiliada." in text(resp)
    long = "x" * 1001
    resp = post(sclient, f"/casos/{case.id}/escribir", {"body": long}, page=f"/casos/{case.id}")
    assert resp.status_code == 422 and long in text(resp)  # what was typed stays in the form
    resp = post(sclient, f"/casos/{case.id}/escribir", {"body": "Ya hablamos con el hospital.", "modo": "mensaje"},
                page=f"/casos/{case.id}", follow_redirects=True)
    page = text(resp)
    assert "Mensaje enviado por WhatsApp." in page and "Mensaje a la persona afiliada" in page
    assert "Ya hablamos con el hospital." in page  # in the conversation, as «Personal SINAC»
    assert db.scalar(select(InfoRequest)) is None
    assert [m["body"].splitlines()[-1] for m in standin.messages()] == ["Ya hablamos con el hospital."]


def test_closed_case_and_opt_out_explain_why_not(sclient, make, db, standin, turned):
    enlace, case = turned
    case.contact.opt_out = True
    db.commit()
    login(sclient, enlace)
    page = text(sclient.get(f"/casos/{case.id}"))
    assert "La persona pidió no recibir mensajes (BAJA)" in page
    resp = post(sclient, f"/casos/{case.id}/escribir", {"body": "Hola"}, page=f"/casos/{case.id}")
    assert resp.status_code == 422 and standin.messages() == []
