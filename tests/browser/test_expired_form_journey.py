"""An expired form in a real browser: the enlace writes a FUR, the page's token goes stale
(its value replaced, as after hours away or a new session), «Enviar» lands on the house's
«El formulario expiró» page; «Volver al formulario» opens the FUR again with what was typed back
in its fields, and sending it then works. backoffice/expired_form.py, static/js/kept_form.js."""

from __future__ import annotations

import pytest

from core.enums import VolanteStatus
from core.models import Case
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_an_expired_fur_goes_back_with_what_was_typed(browser, live_server, make, db):
    base = live_server
    enlace = make.enlace("14", nombre="Enlace Jalisco")
    case = make.case("queja", "14", description="Me cobraron la consulta en el centro de salud")
    db.commit()
    errors: list[str] = []
    page = login(browser.new_context(locale="es-MX"), base, enlace.email)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/casos/{case.id}")
    page.click("text=Responder con FUR")
    fur_url = page.url
    page.fill("#acciones", "Se habló con la directora del centro de salud.")
    page.fill("#respuesta_ciudadano", "Te devolverán lo que pagaste en la caja del centro.")
    page.check("input[name=resultado][value=favorable]")
    page.eval_on_selector_all("input[name=csrf_token]", "els => els.forEach(e => { e.value = 'caducado'; })")
    page.click("button[value=enviar]")

    page.wait_for_selector("h1:has-text('El formulario expiró')")
    assert "no se guardó nada" in page.inner_text("main")
    db.expire_all()
    assert db.get(Case, case.id).volantes[-1].status == VolanteStatus.ABIERTO

    page.click("#kept-form-back")
    page.wait_for_url(fur_url)
    page.wait_for_selector("#kept-form-note")
    assert page.input_value("#acciones") == "Se habló con la directora del centro de salud."
    assert page.input_value("#respuesta_ciudadano") == "Te devolverán lo que pagaste en la caja del centro."
    assert page.is_checked("input[name=resultado][value=favorable]")

    page.click("button[value=enviar]")  # the new page's token: it goes through
    page.wait_for_selector("text=Respuesta enviada a Vinculación")
    db.expire_all()
    assert db.get(Case, case.id).volantes[-1].status == VolanteStatus.RESPONDIDO
    assert errors == []
