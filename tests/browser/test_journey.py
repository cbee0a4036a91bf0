"""The main journey in a real browser: the enlace answers, vinculación sends it back, the enlace
answers again, vinculación accepts, and the affiliate receives the answer through the Twilio
stand-in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import Case, Message
from core.timeutil import now
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

AFFILIATE = "+523311112222"



def _open_case(page, base: str, folio: str):
    page.goto(f"{base}/volantes/")
    page.click(f"text={folio}")
    page.wait_for_selector("h1:has-text('Caso')")


def _fill_fur(page, acciones: str, respuesta: str):
    page.fill("#acciones", acciones)
    page.fill("#respuesta_ciudadano", respuesta)
    page.check("input[name=resultado][value=favorable]")


def test_fur_send_back_answer_again_accept_reaches_affiliate(browser, live_server, standin, make, db):
    base = live_server
    enlace = make.enlace("14", nombre="Enlace Jalisco")
    make.enlace("19", nombre="Enlace Nuevo León")
    vinc = make.user("vinculacion", nombre="Operadora Vinculación")
    contact = make.contact(AFFILIATE, last_inbound_at=now())
    case = make.case(estado_clave="14", contact=contact, description="No me dieron el medicamento para la presión")
    other = make.case(estado_clave="19", description="Queja de otro estado")

    enlace_ctx = browser.new_context(locale="es-MX")
    vinc_ctx = browser.new_context(locale="es-MX")

    # 1. the enlace sees only their state's queue
    page = login(enlace_ctx, base, enlace.email)
    queue = page.inner_text("table[data-testid=queue]")
    assert case.folio in queue and other.folio not in queue
    assert page.goto(f"{base}/casos/{other.id}").status == 404

    # 2. files a FUR; a missing field is reported in Spanish and what was typed stays
    _open_case(page, base, case.folio)
    page.click("text=Responder con FUR")
    page.fill("#acciones", "Llamé a la farmacia del hospital.")
    page.click("button[value=enviar]")
    assert "Faltan datos obligatorios del FUR" in page.inner_text("main")
    assert page.input_value("#acciones") == "Llamé a la farmacia del hospital."
    _fill_fur(page, "Llamé a la farmacia del hospital.", "Ya hay medicamento; pase por él el lunes.")
    page.click("button[value=enviar]")
    page.wait_for_selector("text=Respuesta enviada a Vinculación")

    # 3. vinculación sends it back with a reason (the reason is mandatory)
    vpage = login(vinc_ctx, base, vinc.email)
    _open_case(vpage, base, case.folio)
    vpage.click("button[value=devolver]")
    assert "Escribe el motivo de la devolución." in vpage.inner_text("main")
    vpage.fill("#review-reason", "Indique el nombre de quien entregará el medicamento.")
    vpage.click("button[value=devolver]")
    vpage.wait_for_selector("text=FUR devuelto al enlace")
    assert "Volante 2" in vpage.inner_text("main")

    # 4. the enlace answers the new round, seeing the reason
    _open_case(page, base, case.folio)
    page.click("text=Responder con FUR")
    assert "Indique el nombre de quien entregará" in page.inner_text("[data-testid=instructions]")
    respuesta = "El Dr. Pérez le entregará su medicamento el lunes en la farmacia del hospital."
    _fill_fur(page, "Hablé con el Dr. Pérez, jefe de farmacia.", respuesta)
    page.click("button[value=enviar]")
    page.wait_for_selector("text=Respuesta enviada a Vinculación")

    # 5. vinculación accepts: the case concludes
    _open_case(vpage, base, case.folio)
    vpage.click("button[value=aceptar]")
    vpage.wait_for_selector("text=Respuesta aceptada")
    assert "Concluida" in vpage.inner_text("h1")

    # 6. the affiliate receives the FUR's answer (through the Twilio stand-in)
    sent = standin.messages()
    assert any(respuesta in m["body"] and AFFILIATE.lstrip("+") in m["to"] for m in sent), sent
    db.expire_all()
    assert db.get(Case, case.id).status == "concluida"
    assert db.scalar(select(Message).where(Message.case_id == case.id, Message.body.contains(respuesta)))
    enlace_ctx.close()
    vinc_ctx.close()
