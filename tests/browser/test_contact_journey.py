"""Issue 16 in a real browser: the enlace asks the affiliate for the receipt from the case (the
plazo pauses) → the affiliate sends a photo from the phone simulator (stand-in media URL, signed
webhook, the worker downloads it) → it shows on the case and the clock runs again → the enlace
files the FUR → Vinculación sends it back → the second round opens prefilled from the first
(issue 16 item 2, core.services.rounds)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from core.models import Attachment, Case, InfoRequest
from core.timeutil import now, today_mx
from tests.browser.conftest import login
from tests.contact.conftest import png_bytes
from tests.parallel import free_port

pytestmark = pytest.mark.browser

AFFILIATE = "+523311114444"


@pytest.fixture
def served(standin, db, monkeypatch, settings, nlu_model):
    """The back office on a free port that is also PUBLIC_BASE_URL, so the simulator's signed
    webhook reaches it (inline jobs, Twilio at the stand-in), with the session's trained NLU
    model in place (training it here took 90 s under load: the journey's waits ran out)."""
    from werkzeug.serving import make_server

    from backoffice.app import create_app
    from core.config import Settings
    from tests.nlu_model import seed

    seed(settings.instance_dir, nlu_model)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("PUBLIC_BASE_URL", base)
    app = create_app(Settings.from_env(), RATELIMIT_ENABLED=False)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()
    thread.join(5)



def test_ask_for_the_receipt_photo_arrives_fur_sent_back_second_round(browser, served, standin, make, db):
    base = served
    enlace = make.enlace("14", nombre="Enlace Jalisco")
    vinc = make.user("vinculacion", nombre="Operadora Vinculación")
    contact = make.contact(AFFILIATE, last_inbound_at=now())
    case = make.case("cobro_injustificado", "14", contact=contact, monto=450, unidad="Hospital Civil",
                     description="Me cobraron 450 pesos por el ultrasonido")
    enlace_ctx = browser.new_context(locale="es-MX")
    vinc_ctx = browser.new_context(locale="es-MX")
    errors: list[str] = []

    # 1. the enlace asks for the receipt from the case page; the phone stays masked
    page = login(enlace_ctx, base, enlace.email)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/casos/{case.id}")
    assert AFFILIATE not in page.content()
    page.click("[data-testid=ask-receipt]")
    page.wait_for_selector("text=Solicitud enviada por WhatsApp")
    assert "El plazo queda en pausa" in page.inner_text("main")
    assert "Plazo pausado" in page.inner_text("#volante-1")
    assert "Esperando respuesta" in page.inner_text("[data-testid=info-request]")

    # 2. the affiliate, in the simulator, reads the request and answers with a photo
    vpage = login(vinc_ctx, base, vinc.email)
    vpage.on("pageerror", lambda exc: errors.append(str(exc)))
    vpage.goto(f"{base}/simulador")
    vpage.fill("#sim-phone", AFFILIATE)
    vpage.dispatch_event("#sim-phone", "change")
    vpage.select_option("#sim-channel", "whatsapp")
    vpage.wait_for_selector(".sim-bot >> text=foto del recibo", timeout=30000)
    vpage.set_input_files("#sim-photo", files=[{"name": "recibo.png", "mimeType": "image/png",
                                                 "buffer": png_bytes(40, 30)}])
    assert "recibo.png" in vpage.inner_text("#sim-photo-name")
    vpage.fill("#sim-body", "Aquí está el recibo")
    vpage.click("#sim-form button[type=submit]")
    vpage.wait_for_selector(".sim-phone img.sim-photo", timeout=90000)
    vpage.wait_for_selector(".sim-bot >> text=Gracias, agregamos tu respuesta y tu archivo", timeout=90000)
    assert "recibido" in vpage.inner_text(".sim-phone .sim-meta")  # statuses in Spanish

    # 3. it shows on the case, the request is answered and the clock runs again
    page.goto(f"{base}/casos/{case.id}")
    photo = page.locator(".transcript img.msg-photo").last
    photo.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth", photo.element_handle()) == 40
    assert "Aquí está el recibo" in page.inner_text(".transcript")
    assert "Respondida" in page.inner_text("[data-testid=info-request]")
    assert "Respuesta de la persona afiliada a la solicitud" in page.inner_text(".timeline")
    assert "Plazo pausado" not in page.inner_text("#volante-1")
    db.expire_all()
    [att] = db.scalars(select(Attachment).where(Attachment.case_id == case.id)).all()
    assert att.storage_key and att.content_type == "image/png"
    assert db.scalar(select(InfoRequest.status)) == "respondida"

    # 4. the enlace files the FUR
    page.click("a.button.primary:has-text('FUR')")
    page.fill("#fecha_respuesta", today_mx().isoformat())
    page.fill("#acciones", "Con el recibo, se pidió el reembolso a la administración del Hospital Civil.")
    page.fill("#respuesta_ciudadano", "Te reembolsarán 450 pesos en la caja del hospital.")
    page.check("input[name=resultado][value=favorable]")
    page.fill("#monto_reclamado", "450")
    page.fill("#monto_reembolsado", "450")
    page.fill("#fecha_reembolso", today_mx().isoformat())
    page.click("button[value=enviar]")
    page.wait_for_selector("text=Respuesta enviada a Vinculación")

    # 5. Vinculación sends it back
    vpage.goto(f"{base}/casos/{case.id}")
    vpage.fill("#review-reason", "Indique la fecha en que se entregará el reembolso.")
    vpage.click("button[value=devolver]")
    vpage.wait_for_selector("text=FUR devuelto al enlace")

    # 6. the enlace finds the second round open (prefilled from the first when item 2 is there)
    page.goto(f"{base}/casos/{case.id}")
    assert "Volante 2" in page.inner_text("#volante-2")
    page.click("#volante-2 a.button.primary")
    page.wait_for_selector("#acciones")
    assert "Indique la fecha en que se entregará el reembolso." in page.inner_text("main")
    db.expire_all()
    current = db.get(Case, case.id).open_volante
    assert current.numero == 2 and current.status == "abierto"
    assert current.fur is not None and current.fur.is_draft  # rounds that remember (core.services.rounds)
    assert page.input_value("#acciones").startswith("Con el recibo")
    assert page.input_value("#respuesta_ciudadano") == "Te reembolsarán 450 pesos en la caja del hospital."
    assert page.input_value("#monto_reclamado") in ("450", "450.00")
    assert not errors
    enlace_ctx.close()
    vinc_ctx.close()
