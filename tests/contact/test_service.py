"""core.services.affiliate_contact with the real channel (bot.case_messages → bot.outbound → the
Twilio stand-in): the 24-hour rule, permissions, the plazo paused and resumed in business days,
the affiliate's reply routed by the bot to the open request, and closing a request."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from bot.case_messages import sender
from core.config import Settings
from core.errors import PermissionDenied, ValidationError
from core.models import AuditEvent, InfoRequest, Message, Notification
from core.services import affiliate_contact as svc
from core.services import cases as cases_svc
from core.timeutil import MX_TZ, now
from workers.dispatch import commit_and_enqueue

AFFILIATE = "+523312340001"


def _write(db, actor, case, text, *, ask):
    settings = Settings.from_env()
    result = svc.write_to_affiliate(db, actor, case, text, ask=ask, send=sender(db, settings, sent_by_id=actor.id))
    commit_and_enqueue(db, result.jobs, settings)
    return result


def _events(db, case):
    return [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id))]


@pytest.fixture
def turned(make, db):
    enlace = make.enlace("14", nombre="Enlace Jalisco")
    contact = make.contact(AFFILIATE, last_inbound_at=now())
    case = make.case("cobro_injustificado", "14", contact=contact, monto=450, description="Me cobraron el ultrasonido")
    return enlace, contact, case


def at_mx(*args):
    return time_machine.travel(datetime(*args, tzinfo=MX_TZ), tick=False)


def test_request_inside_the_window_goes_as_whatsapp_text_and_pauses_the_plazo(make, db, standin, turned):
    enlace, _contact, case = turned
    volante = case.open_volante
    result = _write(db, make.actor(enlace), case, svc.RECEIPT_TEXT, ask=True)
    assert result.route == "whatsapp"
    [sent] = standin.messages(to=f"whatsapp:{AFFILIATE}")
    assert case.folio in sent["body"] and "foto del recibo" in sent["body"] and not sent["content_sid"]
    db.expire_all()
    request = db.scalar(select(InfoRequest))
    assert request.status == "abierta" and request.paused_clock and request.route == "whatsapp"
    assert db.get(Message, request.message_id).case_id == case.id
    assert db.get(Message, request.message_id).sent_by_id == enlace.id
    assert volante.paused_at is not None and volante.pause_reason == svc.PAUSE_REASON
    assert _events(db, case)[-1] == "solicitar_informacion"
    assert case.status == "turnada"


def test_outside_the_window_a_template_or_else_sms(make, db, standin, monkeypatch, turned):
    enlace, contact, case = turned
    contact.last_inbound_at = now() - timedelta(hours=25)
    db.commit()
    monkeypatch.setenv("WHATSAPP_CONTACT_TEMPLATE_SID", "HX" + "c" * 32)
    assert _write(db, make.actor(enlace), case, "¿En qué hospital te atendieron?", ask=False).route == "plantilla"
    [template] = standin.messages(to=f"whatsapp:{AFFILIATE}")
    assert template["content_sid"] == "HX" + "c" * 32
    assert case.folio in template["content_variables"] and "hospital" in template["content_variables"]
    assert "\\n" not in template["content_variables"]  # variables on one line

    monkeypatch.delenv("WHATSAPP_CONTACT_TEMPLATE_SID")
    monkeypatch.delenv("WHATSAPP_TEMPLATE_SID", raising=False)
    assert _write(db, make.actor(enlace), case, "¿Qué día fue?", ask=False).route == "sms"
    [sms] = standin.messages(to=AFFILIATE)
    assert case.folio in sms["body"] and "fue?" in sms["body"]
    assert _events(db, case)[-2:] == ["mensaje_afiliado", "mensaje_afiliado"]


def test_the_generic_template_serves_when_no_contact_template_is_set(make, db, standin, monkeypatch, turned):
    enlace, contact, case = turned
    contact.last_inbound_at = None
    db.commit()
    monkeypatch.setenv("WHATSAPP_TEMPLATE_SID", "HX" + "a" * 32)
    assert _write(db, make.actor(enlace), case, "Hola", ask=False).route == "plantilla"
    assert standin.messages()[0]["content_sid"] == "HX" + "a" * 32


def test_an_enlace_of_another_estado_sends_nothing(make, db, standin, turned):
    _enlace, _contact, case = turned
    other = make.enlace("19")
    dps = make.user("participacion_social")
    for user in (other, dps):
        with pytest.raises(PermissionDenied):
            _write(db, make.actor(user), case, "Hola", ask=True)
        db.rollback()
    assert standin.messages() == []
    assert db.scalar(select(InfoRequest)) is None
    assert db.scalars(select(Message).where(Message.direction == "outbound")).all() == []


def test_refusals_say_why(make, db, standin, turned):
    enlace, contact, case = turned
    actor = make.actor(enlace)
    with pytest.raises(ValidationError, match="Escribe el mensaje"):
        _write(db, actor, case, "   ", ask=False)
    _write(db, actor, case, "Foto del recibo, por favor", ask=True)
    with pytest.raises(ValidationError, match="Ya hay una solicitud"):
        _write(db, actor, case, "Y la fecha", ask=True)
    db.rollback()
    contact.opt_out = True
    db.commit()
    with pytest.raises(ValidationError, match="BAJA"):
        _write(db, actor, case, "Hola", ask=False)
    db.rollback()
    no_phone = make.case("queja", "14", canal="buzon")
    with pytest.raises(ValidationError, match="no tiene un teléfono"):
        _write(db, actor, no_phone, "Hola", ask=False)


def test_the_reply_lands_on_the_case_resumes_the_clock_and_tells_the_enlace(make, db, standin, turned, phone_of):
    enlace, contact, case = turned
    with at_mx(2026, 11, 2, 10):  # Monday
        case = make.case("queja", "14", contact=contact, description="No me dieron el medicamento")
        due = case.open_volante.due_date
        _write(db, make.actor(enlace), case, "¿Qué medicamento te negaron?", ask=True)
    with at_mx(2026, 11, 9, 12):  # the next Monday: 5 business days paused
        phone = phone_of(AFFILIATE)
        replies = phone.send("Era metformina, en el Hospital Civil")
        commit_and_enqueue(db, phone.last_jobs)  # as the dialogue job does
    db.expire_all()
    volante = case.open_volante
    request = db.scalar(select(InfoRequest))
    assert request.status == "respondida" and request.answered_at is not None
    reply = db.get(Message, request.reply_message_id)
    assert reply.body == "Era metformina, en el Hospital Civil" and reply.case_id == case.id
    assert volante.paused_at is None
    from core.plazos import calendar

    assert volante.due_date == calendar(db).add(due, 5)
    assert replies == [(f"Gracias, agregamos tu respuesta a tu folio {case.folio}. La persona que atiende tu caso "
                       "ya puede verlo y te avisaremos cuando haya novedades.")]
    assert _events(db, case)[-1] == "recibir_informacion"
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "recibir_informacion"))
    assert event.data["dias"] == 5 and "metformina" not in (event.reason or "")  # no affiliate text in the audit
    [notice] = db.scalars(select(Notification).where(Notification.kind == "respuesta_afiliado")).all()
    assert notice.user_id == enlace.id and notice.case_id == case.id
    # the next message is a conversation again
    assert phone_of(AFFILIATE).send("hola") != replies


def test_filing_the_fur_closes_the_request_and_counts_the_pause(make, db, standin, turned):
    enlace, contact, case = turned
    with at_mx(2026, 11, 2, 10):
        case = make.case("queja", "14", contact=contact, description="Me trataron mal")
        due = case.open_volante.due_date
        _write(db, make.actor(enlace), case, "¿Recuerdas el nombre de quien te atendió?", ask=True)
    with at_mx(2026, 11, 4, 10):  # Wednesday: 2 business days paused
        cases_svc.save_fur(db, case.open_volante, make.actor(enlace), make.fur_data(), submit=True)
        db.commit()
    db.expire_all()
    request = db.scalar(select(InfoRequest))
    assert request.status == "cerrada" and "antes de recibir la respuesta" in request.close_reason
    from core.plazos import calendar

    volante = case.volantes[-1]
    assert volante.due_date == calendar(db).add(due, 2) and volante.paused_at is None
    assert _events(db, case)[-2:] == ["cerrar_solicitud", "responder"]


def test_staff_close_a_request_unanswered_and_the_bot_stops_routing(make, db, standin, turned, phone_of):
    enlace, _contact, case = turned
    _write(db, make.actor(enlace), case, "¿Tienes el recibo?", ask=True)
    request = db.scalar(select(InfoRequest))
    svc.close_request(db, make.actor(enlace), case, request.id)
    db.commit()
    assert case.open_volante.paused_at is None and request.status == "cerrada"
    phone_of(AFFILIATE).send("hola")
    db.expire_all()
    assert db.get(InfoRequest, request.id).reply_message_id is None


def test_a_vinculacion_pause_is_left_alone(make, db, standin, turned):
    _enlace, _contact, case = turned
    vinc = make.user("vinculacion")
    cases_svc.pause_clock(db, case, make.actor(vinc), "Se esperan datos de la unidad")
    db.commit()
    _write(db, make.actor(vinc), case, "¿Nos mandas el recibo?", ask=True)
    request = db.scalar(select(InfoRequest))
    assert not request.paused_clock
    svc.close_request(db, make.actor(vinc), case, request.id)
    db.commit()
    assert case.open_volante.paused_at is not None  # still Vinculación's pause


def test_a_request_whose_case_moved_on_no_longer_catches_messages(make, db, standin, turned, phone_of):
    enlace, _contact, case = turned
    _write(db, make.actor(enlace), case, "¿Tienes el recibo?", ask=True)
    cases_svc.cancel_case(db, case, make.actor(make.user("vinculacion")), "Duplicado")
    db.commit()
    phone_of(AFFILIATE).send("aquí está")
    db.expire_all()
    request = db.scalar(select(InfoRequest))
    assert request.status == "cerrada" and request.reply_message_id is None
    assert date.today()  # the conversation went on (no error)


def test_a_conversation_waiting_for_a_person_still_delivers_the_answer(make, db, standin, turned, phone_of):
    enlace, contact, case = turned
    _write(db, make.actor(enlace), case, "¿Tienes el recibo?", ask=True)
    contact.handoff = True
    db.commit()
    replies = phone_of(AFFILIATE).send("Sí, lo tengo, es de 450")
    db.expire_all()
    request = db.scalar(select(InfoRequest))
    assert request.status == "respondida" and db.get(Message, request.reply_message_id).case_id == case.id
    assert replies and replies[0].startswith("Gracias, agregamos tu respuesta")


def test_bajas_come_first_and_the_request_waits(make, db, standin, turned, phone_of):
    enlace, contact, case = turned
    _write(db, make.actor(enlace), case, "¿Tienes el recibo?", ask=True)
    phone_of(AFFILIATE).send("BAJA")
    db.expire_all()
    assert db.get(type(contact), contact.id).opt_out
    assert db.scalar(select(InfoRequest)).status == "abierta"
    assert case.open_volante.paused_at is not None


def test_a_confidential_report_is_written_to_by_vinculacion_only(make, db, standin, turned):
    enlace, _contact, case = turned
    case.confidencial = True  # its messages are Vinculación's only (docs/confidential.md)
    db.commit()
    with pytest.raises(PermissionDenied, match="confidencial"):
        _write(db, make.actor(enlace), case, "¿Tienes el recibo?", ask=True)
    db.rollback()
    assert standin.messages() == []
    assert _write(db, make.actor(make.user("vinculacion")), case, "¿Tienes el recibo?", ask=True).request
