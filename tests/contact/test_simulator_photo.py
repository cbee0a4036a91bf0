"""A photo sent from the simulator goes the way a real one does: the stand-in serves it at a
Twilio media URL, the signed webhook carries MediaUrl0, the worker downloads it into SINAC's
storage (bot.media) and, with a request for information open, it lands on the case."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from bot.case_messages import sender
from core.config import Settings
from core.files import resolve_key
from core.models import Attachment, InfoRequest, Message
from core.services import affiliate_contact as svc
from core.timeutil import now
from tests.contact.conftest import png_bytes
from tests.support.web import login
from workers.dispatch import commit_and_enqueue

AFFILIATE = "+523312340003"


def _simulator(client, user):
    login(client, user)
    return re.search(r'data-csrf="([^"]+)"', client.get("/simulador").get_data(as_text=True)).group(1)


def test_photo_answers_the_request_and_is_stored_on_the_case(running_app, make, db, standin):
    enlace = make.enlace("14")
    contact = make.contact(AFFILIATE, last_inbound_at=now())
    case = make.case("cobro_injustificado", "14", contact=contact, monto=300, description="Me cobraron la consulta")
    settings = Settings.from_env()
    result = svc.write_to_affiliate(db, make.actor(enlace), case, svc.RECEIPT_TEXT, ask=True,
                                    send=sender(db, settings, sent_by_id=enlace.id))
    commit_and_enqueue(db, result.jobs, settings)

    client = running_app.test_client()
    csrf = _simulator(client, make.user("vinculacion"))
    response = client.post("/simulador/enviar", headers={"X-CSRFToken": csrf}, content_type="multipart/form-data",
                           data={"phone": AFFILIATE, "channel": "whatsapp", "body": "",
                                 "photo": (io.BytesIO(png_bytes()), "recibo.png")})
    assert response.status_code == 200, response.get_json()
    db.expire_all()
    inbound = db.scalar(select(Message).where(Message.direction == "inbound"))
    assert inbound.media[0]["url"].startswith(standin.url + "/2010-04-01/Accounts/")
    [att] = db.scalars(select(Attachment).where(Attachment.message_id == inbound.id)).all()
    assert att.storage_key and att.size == len(png_bytes()) and att.content_type == "image/png"
    assert resolve_key(settings, att.storage_key).read_bytes() == png_bytes()
    assert att.case_id == case.id and inbound.case_id == case.id
    request = db.scalar(select(InfoRequest))
    assert request.status == "respondida" and request.reply_message_id == inbound.id
    assert case.open_volante.paused_at is None

    data = client.get(f"/simulador/mensajes?phone={AFFILIATE}&channel=whatsapp").get_json()
    photo = next(m for m in data["messages"] if m["from"] == "phone")
    assert photo["media"] == [{"content_type": "image/png", "url": f"/adjuntos/{att.id}"}]
    assert photo["status"] == "recibido"
    bot = [m for m in data["messages"] if m["from"] == "bot"]
    assert "Gracias, agregamos tu archivo a tu folio" in bot[-1]["body"]
    assert {m["status"] for m in bot} <= {"en cola", "enviado", "entregado"}
    assert client.get(f"/adjuntos/{att.id}").data == png_bytes()


def test_the_simulator_refuses_what_is_not_a_photo(running_app, make, db, standin):
    client = running_app.test_client()
    csrf = _simulator(client, make.user("admin"))
    response = client.post("/simulador/enviar", headers={"X-CSRFToken": csrf}, content_type="multipart/form-data",
                           data={"phone": AFFILIATE, "channel": "whatsapp", "body": "",
                                 "photo": (io.BytesIO(b"MZ\x90\x00 not an image"), "foto.png")})
    assert response.status_code == 400 and response.get_json()["error"] == "Adjunta una foto JPG o PNG."
    assert db.scalar(select(Message)) is None
    response = client.post("/simulador/enviar", headers={"X-CSRFToken": csrf}, json={"phone": AFFILIATE, "body": ""})
    assert response.status_code == 400 and response.get_json()["error"] == "Escribe un mensaje o adjunta una foto."
