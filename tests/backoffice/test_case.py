"""The case page: data with masking, transcript with media, rounds, audit, notes, actions by role,
review (send back / accept) through to the affiliate, conversations awaiting a person."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.models import Attachment, AuditEvent, Case, Contact, Message, Note, Volante
from core.timeutil import now, today_mx
from tests.support.twilio import sclient, standin  # noqa: F401 (fixtures)
from tests.support.web import login, post, text

CURP = "GOMA800101HJCRRN09"


def _answer(make, db, case):
    from core.services import cases as svc

    enlace = db.get(type(case.open_volante.enlace), case.open_volante.enlace_id) if case.open_volante.enlace_id \
        else make.enlace(case.estado_clave)
    svc.save_fur(db, case.open_volante, make.actor(enlace), make.fur_data(), submit=True)
    db.commit()


def test_detail_masks_pii_for_enlace_and_shows_it_to_vinculacion(client, make, db):
    enlace = make.enlace("14")
    contact = make.contact("+523312345678")
    case = make.case(estado_clave="14", contact=contact, curp=CURP, contacto_nombre="Rosa Gómez")
    login(client, enlace)
    html = text(client.get(f"/casos/{case.id}"))
    assert case.folio in html and "Rosa Gómez" in html
    assert CURP not in html and "+523312345678" not in html
    assert "GOMA" in html and "5678" in html
    client2 = client.application.test_client()
    login(client2, make.user("vinculacion"))
    html = text(client2.get(f"/casos/{case.id}"))
    assert CURP in html and "+523312345678" in html


def test_transcript_with_photo_and_voice_note(client, make, db, settings):
    contact = make.contact("+523312345678")
    case = make.case(estado_clave="14", contact=contact)
    base = now()
    db.add_all([
        Message(contact_id=contact.id, case_id=case.id, direction="inbound", channel="whatsapp",
                body="Me cobraron la consulta", status="processed", created_at=base),
        Message(contact_id=contact.id, case_id=case.id, direction="inbound", channel="whatsapp", body="",
                status="processed", created_at=base + timedelta(seconds=1),
                media=[{"url": "https://api.twilio.com/2010-04-01/Media/ME1", "content_type": "image/jpeg"},
                       {"url": "javascript:alert(1)", "content_type": "image/png"}]),
        Message(contact_id=contact.id, case_id=case.id, direction="outbound", channel="whatsapp",
                body="Tu folio es " + case.folio, status="delivered", created_at=base + timedelta(seconds=2)),
    ])
    voice = Message(contact_id=contact.id, case_id=case.id, direction="inbound", channel="whatsapp", body="",
                    status="processed", created_at=base + timedelta(seconds=3))
    db.add(voice)
    db.flush()
    db.add(Attachment(message_id=voice.id, case_id=case.id, filename="nota.ogg", content_type="audio/ogg",
                      size=3, storage_key="2026/11/voz.ogg"))
    db.commit()
    login(client, make.user("vinculacion"))
    html = text(client.get(f"/casos/{case.id}"))
    assert "Me cobraron la consulta" in html and "Tu folio es" in html
    assert '<img src="https://api.twilio.com/2010-04-01/Media/ME1"' in html
    assert "javascript:" not in html
    att = db.scalar(select(Attachment).where(Attachment.message_id == voice.id))
    assert f'<audio controls preload="none" src="/adjuntos/{att.id}"' in html
    assert html.index("Me cobraron la consulta") < html.index("Tu folio es")


def test_send_back_requires_reason_then_opens_new_round(client, make, db):
    make.enlace("14")
    case = make.case(estado_clave="14")
    _answer(make, db, case)
    login(client, make.user("vinculacion"))
    page = f"/casos/{case.id}"
    resp = post(client, f"/casos/{case.id}/revision", {"decision": "devolver", "reason": "  "}, page=page)
    assert resp.status_code == 422
    assert "Escribe el motivo de la devolución." in text(resp)
    resp = post(client, f"/casos/{case.id}/revision",
                {"decision": "devolver", "reason": "Falta la fecha de la nueva cita"}, page=page)
    assert resp.status_code == 302
    db.expire_all()
    rounds = list(db.scalars(select(Volante).where(Volante.case_id == case.id).order_by(Volante.numero)))
    assert [v.status for v in rounds] == ["devuelto", "abierto"]
    assert rounds[1].instructions == "Falta la fecha de la nueva cita" and rounds[1].due_date > today_mx()
    html = text(client.get(page))
    assert "Revisión: Devuelta" in html and "Falta la fecha de la nueva cita" in html
    assert "Volante 2" in html


def test_review_needs_a_decision_and_only_vinculacion_reviews(client, make, db):
    enlace = make.enlace("14")
    case = make.case(estado_clave="14")
    _answer(make, db, case)
    login(client, make.user("vinculacion"))
    resp = post(client, f"/casos/{case.id}/revision", {"reason": "algo"}, page=f"/casos/{case.id}")
    assert resp.status_code == 422 and "Elige aceptar o devolver." in text(resp)
    assert 'algo</textarea>' in text(resp)  # what was typed is kept
    client2 = client.application.test_client()
    login(client2, enlace)
    resp = post(client2, f"/casos/{case.id}/revision", {"decision": "aceptar"}, page=f"/casos/{case.id}")
    assert resp.status_code == 403
    assert "Revisar el FUR" not in text(client2.get(f"/casos/{case.id}"))


def test_accept_concludes_and_the_affiliate_receives_the_answer(sclient, standin, make, db):  # noqa: F811
    make.enlace("14")
    contact = make.contact("+523312345678", last_inbound_at=now())
    case = make.case(estado_clave="14", contact=contact)
    _answer(make, db, case)
    login(sclient, make.user("vinculacion"))
    resp = post(sclient, f"/casos/{case.id}/revision", {"decision": "aceptar"}, page=f"/casos/{case.id}")
    assert resp.status_code == 302
    db.expire_all()
    assert db.get(Case, case.id).status == "concluida"
    sent = [m["body"] for m in standin.messages()]
    assert any("Ya puede acudir a su cita" in body for body in sent), sent
    assert "Respuesta aceptada" in text(sclient.get(f"/casos/{case.id}"))


def test_cancel_pause_resume_reassign_with_reasons(client, make, db):
    make.enlace("14")
    make.enlace("09")
    case = make.case(estado_clave="14")
    login(client, make.user("vinculacion"))
    page = f"/casos/{case.id}"
    resp = post(client, f"/casos/{case.id}/pausar", {"reason": ""}, page=page)
    assert resp.status_code == 422 and "Escribe por qué se pausa el plazo." in text(resp)
    assert post(client, f"/casos/{case.id}/pausar", {"reason": "Esperamos la receta"}, page=page).status_code == 302
    assert "Plazo pausado" in text(client.get(page))
    assert post(client, f"/casos/{case.id}/reanudar", {}, page=page).status_code == 302
    resp = post(client, f"/casos/{case.id}/reasignar", {"estado": "09", "reason": ""}, page=page)
    assert resp.status_code == 422 and "Escribe el motivo de la reasignación." in text(resp)
    assert 'value="09" selected' in text(resp)
    resp = post(client, f"/casos/{case.id}/reasignar", {"estado": "09", "reason": "Lo atendieron en CDMX"}, page=page)
    assert resp.status_code == 302
    db.expire_all()
    assert db.get(Case, case.id).estado_clave == "09"
    resp = post(client, f"/casos/{case.id}/cancelar", {"reason": ""}, page=page)
    assert resp.status_code == 422 and "Escribe el motivo de la cancelación." in text(resp)
    assert post(client, f"/casos/{case.id}/cancelar", {"reason": "Duplicado"}, page=page).status_code == 302
    db.expire_all()
    assert db.get(Case, case.id).status == "cancelada"
    actions = list(db.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id)))
    assert {"pausar", "reanudar", "reasignar", "cancelar"} <= set(actions)
    html = text(client.get(page))
    assert "Lo atendieron en CDMX" in html and "Duplicado" in html  # audit timeline with reasons


def test_decide_and_turn_a_registered_case(client, make, db):
    enlace = make.enlace("14", nombre="Laura Enlace")
    case = make.case(estado_clave="14", route=False)
    login(client, make.user("vinculacion"))
    page = f"/casos/{case.id}"
    resp = post(client, f"/casos/{case.id}/gestion", {"instructions": "Urgente"}, page=page)
    assert resp.status_code == 422 and "Indica si el caso amerita gestión." in text(resp)
    assert "Urgente</textarea>" in text(resp)
    resp = post(client, f"/casos/{case.id}/gestion", {"amerita": "si", "instructions": "Urgente"}, page=page)
    assert resp.status_code == 302
    db.expire_all()
    volante = db.scalar(select(Volante).where(Volante.case_id == case.id))
    assert volante.enlace_id == enlace.id and volante.instructions == "Urgente"


def test_turn_refuses_an_enlace_of_another_state(client, make, db):
    make.enlace("14")
    other = make.enlace("19")
    case = make.case(estado_clave="14", route=False)
    from core.actors import Actor
    from core.services import cases as svc

    vinc = make.user("vinculacion")
    case.amerita_gestion = True
    db.commit()
    login(client, vinc)
    resp = post(client, f"/casos/{case.id}/turnar", {"enlace_id": str(other.id)}, page=f"/casos/{case.id}")
    assert resp.status_code == 422 and "no corresponde al estado del caso" in text(resp)
    assert svc and Actor


def test_notes_for_editors_only(client, make, db):
    enlace = make.enlace("14")
    case = make.case(estado_clave="14")
    login(client, enlace)
    page = f"/casos/{case.id}"
    resp = post(client, f"/casos/{case.id}/notas", {"body": ""}, page=page)
    assert resp.status_code == 422 and "Escribe el texto de la nota." in text(resp)
    assert post(client, f"/casos/{case.id}/notas", {"body": "Llamé a la unidad"}, page=page).status_code == 302
    assert "Llamé a la unidad" in text(client.get(page))
    ps = client.application.test_client()
    login(ps, make.user("participacion_social"))
    html = text(ps.get(page))
    assert "Llamé a la unidad" in html and "Agregar nota" not in html and "Cancelar caso" not in html
    assert post(ps, f"/casos/{case.id}/notas", {"body": "x"}, page=page).status_code == 403
    for action in ("cancelar", "pausar", "reasignar", "revision", "gestion", "turnar"):
        assert post(ps, f"/casos/{case.id}/{action}", {"reason": "x"}, page=page).status_code == 403
    assert db.scalar(select(Note).where(Note.body == "x")) is None


def test_other_state_case_is_404_for_enlace(client, make, db):
    enlace = make.enlace("14")
    other = make.case(estado_clave="19")
    login(client, enlace)
    assert client.get(f"/casos/{other.id}").status_code == 404
    assert client.get(f"/volantes/{other.open_volante.id}/fur").status_code == 404
    assert post(client, f"/casos/{other.id}/notas", {"body": "hola"}).status_code == 404


def test_conversation_awaiting_a_person_reply_and_release(sclient, standin, make, db):  # noqa: F811
    contact = make.contact("+523398765432", handoff=True, handoff_at=now(), last_inbound_at=now())
    db.add(Message(contact_id=contact.id, direction="inbound", channel="whatsapp", body="Quiero hablar con alguien",
                   status="processed"))
    db.commit()
    case = make.case(estado_clave="14", contact=contact)
    vinc = make.user("vinculacion")
    login(sclient, vinc)
    html = text(sclient.get("/conversaciones/"))
    assert "Quiero hablar con alguien" in html and "+523398765432" not in html
    page = f"/conversaciones/{contact.id}"
    resp = post(sclient, f"/conversaciones/{contact.id}/responder", {"body": " "}, page=page)
    assert resp.status_code == 422 and "Escribe la respuesta para el ciudadano." in text(resp)
    resp = post(sclient, f"/conversaciones/{contact.id}/responder",
                {"body": "Hola, soy Marta de Vinculación. ¿En qué unidad fue?"}, page=page)
    assert resp.status_code == 302
    staff = db.scalar(select(Message).where(Message.kind == "staff"))
    assert staff.sent_by_id == vinc.id and staff.case_id == case.id and staff.direction == "outbound"
    assert any("soy Marta" in m["body"] for m in standin.messages())
    # from the case page too, then release to the bot
    resp = post(sclient, f"/conversaciones/{contact.id}/liberar", {"next": "case", "case_id": str(case.id)},
                page=f"/casos/{case.id}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/casos/{case.id}")
    db.expire_all()
    assert db.get(Contact, contact.id).handoff is False
    assert "0 conversaciones" in text(sclient.get("/conversaciones/"))
    resp = post(sclient, f"/conversaciones/{contact.id}/responder", {"body": "otra"}, page=page)
    assert resp.status_code == 422 and "ya no espera a una persona" in text(resp)


def test_conversations_are_for_national_roles(client, make, db):
    contact = make.contact("+523398765432", handoff=True)
    login(client, make.enlace("14"))
    assert client.get("/conversaciones/").status_code == 403
    assert client.get(f"/conversaciones/{contact.id}").status_code == 403
    assert post(client, f"/conversaciones/{contact.id}/responder", {"body": "x"}).status_code == 403


def test_enlace_transcript_holds_only_messages_linked_to_the_case(client, make, db):
    enlace = make.enlace("14")
    contact = make.contact("+523312345678")
    case = make.case(estado_clave="14", contact=contact)
    db.add_all([
        Message(contact_id=contact.id, case_id=case.id, direction="inbound", channel="whatsapp",
                body="Mensaje del caso", status="processed"),
        Message(contact_id=contact.id, case_id=None, direction="inbound", channel="whatsapp",
                body="Mensaje sin caso", status="processed", created_at=case.created_at),
    ])
    db.commit()
    login(client, enlace)
    html = text(client.get(f"/casos/{case.id}"))
    assert "Mensaje del caso" in html and "Mensaje sin caso" not in html
    vinc = client.application.test_client()
    login(vinc, make.user("vinculacion"))
    assert "Mensaje sin caso" in text(vinc.get(f"/casos/{case.id}"))


def test_remote_media_attachment_redirects_only_within_scope(client, make, db):
    enlace = make.enlace("14")
    own = make.case(estado_clave="14")
    other = make.case(estado_clave="19")
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    mine = Attachment(case_id=own.id, filename="foto.jpg", content_type="image/jpeg", url=url)
    theirs = Attachment(case_id=other.id, filename="foto.jpg", content_type="image/jpeg", url=url)
    db.add_all([mine, theirs])
    db.commit()
    login(client, enlace)
    resp = client.get(f"/adjuntos/{mine.id}")
    assert resp.status_code == 302 and resp.headers["Location"] == url
    assert client.get(f"/adjuntos/{theirs.id}").status_code == 404


def test_participacion_social_reads_conversations_without_acting(client, make, db):
    contact = make.contact("+523398765432", handoff=True, handoff_at=now())
    login(client, make.user("participacion_social"))
    assert client.get("/conversaciones/").status_code == 200
    html = text(client.get(f"/conversaciones/{contact.id}"))
    assert "Enviar respuesta" not in html and "+523398765432" not in html
    assert post(client, f"/conversaciones/{contact.id}/responder", {"body": "x"}).status_code == 403
    assert post(client, f"/conversaciones/{contact.id}/liberar", {}).status_code == 403
    db.expire_all()
    assert db.get(Contact, contact.id).handoff is True
