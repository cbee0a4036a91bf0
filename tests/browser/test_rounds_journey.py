"""Issue 16 items 2-3 and issue 17 item 4 in a real browser: the enlace files a FUR with evidence,
Vinculación sends it back, the next round opens prefilled with the reason shown; the enlace takes
a file off, inserts a canned response (canned.js, no round trip) and sends it; the reviewer sees
the FUR on top with what changed and decides there."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core import canned
from core.enums import Role
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
REASON = "Adjunte el comprobante del reembolso firmado por la unidad."



def test_sent_back_fur_opens_prefilled_and_the_reviewer_sees_the_diff(browser, live_server, make, db, tmp_path):
    base = live_server
    enlace = make.enlace("14", nombre="Enlace Jalisco")
    vinc = make.user(Role.VINCULACION, nombre="Ana Revisora")
    admin = make.actor(make.user(Role.ADMIN))
    plantilla = canned.save(db, admin, titulo="Reembolso hecho", estado_clave=None,
                            cuerpo="Su reembolso del folio {folio} por {monto} ya se realizó en {nombre_unidad}.")
    case = make.case("cobro_injustificado", "14", monto=Decimal(800), unidad="Hospital Civil",
                     description="Me cobraron 800 pesos por el ultrasonido")
    db.commit()
    recibo, foto = tmp_path / "recibo.pdf", tmp_path / "foto.png"
    recibo.write_bytes(PDF)
    foto.write_bytes(PNG)

    epage = login(browser.new_context(locale="es-MX"), base, enlace.email)
    # the queue row tells what happened and how much
    row = epage.locator(f"tr[data-folio='{case.folio}']")
    assert "Me cobraron 800 pesos" in row.inner_text() and "$800.00" in row.inner_text()
    assert "Quedan" in row.inner_text()
    queue_badge = row.locator("[data-testid=plazo]").inner_text()

    # 1. the case opens on its data, where it stands and the plazo, first in the main column
    epage.goto(f"{base}/casos/{case.id}")
    card = epage.locator("[data-testid=case-data]")
    assert epage.locator(".case-main > section").first.get_attribute("data-testid") == "case-data"
    standing = card.locator("[data-testid=case-standing]").inner_text()
    assert "Turnada" in standing and "Quedan" in standing and "Enlace Jalisco" in standing
    assert card.locator("[data-testid=case-plazo]").inner_text() == queue_badge
    assert "Hospital Civil" in card.inner_text() and "$800.00" in card.inner_text()
    # the first round, with two evidence files
    epage.click("text=Responder con FUR")
    epage.fill("#acciones", "Llamé al administrador del hospital.")
    epage.fill("#respuesta_ciudadano", "Le reembolsarán 800 pesos.")
    epage.check("input[name=resultado][value=favorable]")
    epage.fill("#monto_reclamado", "800")
    epage.fill("#monto_reembolsado", "800")
    epage.fill("#fecha_reembolso", epage.input_value("#fecha_respuesta"))
    epage.set_input_files("#evidencia", [str(recibo), str(foto)])
    epage.click("button[value=enviar]")
    epage.wait_for_selector("text=Respuesta enviada a Vinculación")

    # 2. vinculación reviews from the top of the page and sends it back
    vpage = login(browser.new_context(locale="es-MX"), base, vinc.email)
    vpage.goto(f"{base}/casos/{case.id}")
    review = vpage.locator("[data-testid=review]")
    assert "Llamé al administrador del hospital." in review.inner_text()
    vpage.fill("#review-reason", REASON)
    vpage.click("#review-form button[value=devolver]")
    vpage.wait_for_selector("text=FUR devuelto al enlace")

    # 3. the next round opens prefilled, the reason on top, the evidence carried over
    epage.goto(f"{base}/volantes/")
    row = epage.locator(f"tr[data-folio='{case.folio}']")
    assert "Volante 2" in row.inner_text() and "Devuelto" in row.inner_text()
    epage.goto(f"{base}/casos/{case.id}")
    epage.click("text=Responder con FUR")
    assert epage.inner_text("[data-testid=sent-back-reason]") == REASON
    assert epage.input_value("#acciones") == "Llamé al administrador del hospital."
    assert epage.input_value("#respuesta_ciudadano") == "Le reembolsarán 800 pesos."
    assert epage.input_value("#monto_reembolsado") == "800.00"
    assert epage.is_checked("input[name=resultado][value=favorable]")
    evidence = epage.inner_text("[data-testid=evidence]")
    assert "recibo.pdf" in evidence and "foto.png" in evidence

    # 4. the enlace corrects it: a file off, a canned response inserted in the page, sent
    epage.fill("#acciones", "Llamé al administrador; envío el comprobante firmado.")
    epage.locator("[data-testid=evidence] li", has_text="foto.png").locator("input[name=quitar_evidencia]").check()
    url = epage.url
    epage.select_option("#plantilla", str(plantilla.id))
    epage.select_option("#plantilla_campo", "respuesta_ciudadano")
    epage.click("[data-canned-insert]")
    filled = f"Su reembolso del folio {case.folio} por $800.00 ya se realizó en Hospital Civil."
    assert epage.input_value("#respuesta_ciudadano") == f"Le reembolsarán 800 pesos.\n\n{filled}"
    assert epage.url == url  # inserted by canned.js, no round trip
    epage.click("button[value=enviar]")
    epage.wait_for_selector("text=Respuesta enviada a Vinculación")

    # 5. the reviewer sees what changed against the round sent back, and accepts there
    vpage.goto(f"{base}/casos/{case.id}")
    diff = vpage.locator("[data-testid=round-diff]")
    text = diff.inner_text()
    assert "Cambios respecto al volante 1" in text and REASON in text
    assert "Llamé al administrador del hospital." in diff.locator("[data-field=acciones] del").inner_text()
    assert "envío el comprobante firmado" in diff.locator("[data-field=acciones] ins").inner_text()
    assert filled in diff.locator("[data-field=respuesta_ciudadano] ins").inner_text()
    assert "foto.png" in vpage.inner_text("[data-testid=diff-removed]")
    assert vpage.locator("[data-field=resultado]").count() == 0
    # the case's data first, then the FUR under review, then the conversation
    boxes = [vpage.locator(sel).bounding_box()["y"] for sel in ("#datos", "[data-testid=review]", "#conversacion")]
    assert boxes[0] < boxes[1] < boxes[2]
    assert "En revisión" in vpage.inner_text("[data-testid=case-plazo]")
    vpage.click("#review-form button[value=aceptar]")
    vpage.wait_for_selector("text=Respuesta aceptada")
