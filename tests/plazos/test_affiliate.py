"""What the affiliate hears: opening, reassignment, conclusion and the survey — through
bot.outbound.queue_notification's 24-hour rule (template, SMS fallback, opt-out)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.enums import Direction
from core.models import Case, Contact, Message, Notification
from core.services import cases as svc
from tests.plazos.conftest import mx_time
from workers import notify


def _outbound(db, case_id=None) -> list[Message]:
    db.expire_all()
    query = select(Message).where(Message.direction == Direction.OUTBOUND).order_by(Message.id)
    if case_id is not None:
        query = query.where(Message.case_id == case_id)
    return list(db.scalars(query))


def test_call_center_case_tells_folio_and_due_date_by_sms_once(db, make, sent_jobs):
    enlace = make.enlace("14")
    with mx_time(2026, 11, 20, 10):
        case = make.case("queja", "14", canal="call_center", contacto_telefono="33 1234 5678",
                         contacto_nombre="María")
        notify.volante_opened(case.open_volante.id)
        notify.volante_opened(case.open_volante.id)  # a retried job: nothing twice
    [message] = _outbound(db)
    assert message.channel == "sms" and message.kind == notify.KIND_VOLANTE
    assert case.folio in message.body and "viernes 4 de diciembre de 2026" in message.body
    contact = db.scalar(select(Contact).where(Contact.phone == "+523312345678"))
    assert contact is not None and message.contact_id == contact.id
    assert db.get(Case, case.id).contact_id == contact.id  # the phone now finds its folio
    assert [(j.name, j.kwargs["message_ids"]) for j in sent_jobs] == [("send_outbound", [message.id])]
    [aviso] = db.scalars(select(Notification)).all()
    assert aviso.user_id == enlace.id and aviso.kind == "volante_nuevo"


def test_case_registered_in_the_conversation_is_not_told_twice(db, make, sent_jobs):
    make.enlace("14")
    contact = make.contact("+523312345678", "whatsapp")
    with mx_time(2026, 11, 20, 10):
        case = make.case("queja", "14", canal="whatsapp", contact=contact)
        notify.volante_opened(case.open_volante.id)
    assert _outbound(db) == [] and sent_jobs == []
    assert db.scalar(select(Notification.kind)) == "volante_nuevo"  # the enlace still hears


def test_whatsapp_case_turned_days_later_uses_the_template_outside_24h(db, make, sent_jobs, monkeypatch):
    monkeypatch.setenv("WHATSAPP_TEMPLATE_SID", "HX0123456789abcdef0123456789abcdef")
    make.enlace("14")
    contact = make.contact("+523312345678", "whatsapp",
                           last_inbound_at=datetime(2026, 11, 18, 16, tzinfo=UTC))
    with mx_time(2026, 11, 18, 10):
        case = make.case("queja", None, canal="whatsapp", contact=contact)  # estado unknown
    with mx_time(2026, 11, 20, 10):  # vinculación sets the estado and turns it
        vinc = make.user("vinculacion")
        case.estado_clave = "14"
        svc.turn_to_enlace(db, case, make.actor(vinc))
        db.commit()
        notify.volante_opened(case.open_volante.id)
    [message] = _outbound(db)
    assert message.channel == "whatsapp"
    assert message.template_sid == "HX0123456789abcdef0123456789abcdef"
    assert message.template_vars["1"] == case.folio
    assert "4 de diciembre" in message.template_vars["2"] and "\n" not in message.template_vars["2"]


def test_inside_24h_a_session_text_and_without_template_sms(db, make, sent_jobs):
    make.enlace("14")
    inside = make.contact("+523312345678", "whatsapp", last_inbound_at=datetime(2026, 11, 20, 15, tzinfo=UTC))
    outside = make.contact("+523398765432", "whatsapp", last_inbound_at=datetime(2026, 11, 1, tzinfo=UTC))
    with mx_time(2026, 11, 20, 10):
        a = make.case("queja", "14", canal="oficio", contact=inside)
        b = make.case("queja", "14", canal="buzon", contact=outside)
        notify.volante_opened(a.open_volante.id)
        notify.volante_opened(b.open_volante.id)
    [ma] = _outbound(db, a.id)
    [mb] = _outbound(db, b.id)
    assert (ma.channel, ma.template_sid) == ("whatsapp", None) and a.folio in ma.body
    assert (mb.channel, mb.template_sid) == ("sms", None) and b.folio in mb.body


def test_opted_out_phone_gets_nothing(db, make, sent_jobs):
    make.enlace("14")
    contact = make.contact("+523312345678", "sms", opt_out=True)
    with mx_time(2026, 11, 20, 10):
        case = make.case("queja", "14", canal="call_center", contact=contact)
        notify.volante_opened(case.open_volante.id)
    assert [m.status for m in _outbound(db)] == ["suppressed"]
    assert sent_jobs == []


def test_case_without_phone_gets_no_message(db, make, sent_jobs):
    make.enlace("14")
    with mx_time(2026, 11, 20, 10):
        case = make.case("queja", "14", canal="oficio")
        notify.volante_opened(case.open_volante.id)
    assert _outbound(db) == [] and sent_jobs == []


def test_send_back_is_internal(db, make, sent_jobs):
    enlace = make.enlace("14")
    vinc = make.user("vinculacion")
    contact = make.contact("+523312345678", "sms")
    with mx_time(2026, 11, 20, 10):
        case = make.filed_case("queja", "14", canal="call_center", contact=contact)
        svc.send_back(db, case, make.actor(vinc), "Falta el nombre del médico")
        db.commit()
        notify.volante_returned(case.open_volante.id)
    assert _outbound(db) == []
    note = db.scalar(select(Notification).where(Notification.kind == "volante_devuelto"))
    assert note.user_id == enlace.id and "Falta el nombre del médico" in note.text


def test_fur_filed_notifies_vinculacion_in_app(db, make, sent_jobs):
    make.enlace("14")
    vinc = make.user("vinculacion")
    with mx_time(2026, 11, 20, 10):
        case = make.filed_case("queja", "14", canal="call_center", contacto_telefono="3312345678")
        notify.fur_filed(case.volantes[-1].id)
        notify.fur_filed(case.volantes[-1].id)
    [note] = db.scalars(select(Notification)).all()
    assert note.user_id == vinc.id and note.kind == "fur_recibido" and "favorable" in note.text
    assert _outbound(db) == []


def test_reassignment_tells_the_affiliate_and_the_new_enlace(db, make, sent_jobs):
    make.enlace("14")
    new_enlace = make.enlace("09")
    vinc = make.user("vinculacion")
    contact = make.contact("+523312345678", "sms")
    with mx_time(2026, 11, 20, 10):
        case = make.case("queja", "14", canal="whatsapp", contact=contact)
    with mx_time(2026, 11, 23, 10):
        svc.reassign_estado(db, case, make.actor(vinc), "09", "Lo atendieron en la CDMX")
        db.commit()
        notify.volante_reassigned(case.open_volante.id)
    [message] = _outbound(db)
    assert message.kind == notify.KIND_REASIGNADO and "Ciudad de México" in message.body
    assert case.folio in message.body
    note = db.scalar(select(Notification).where(Notification.kind == "volante_reasignado"))
    assert note.user_id == new_enlace.id


def test_conclusion_sends_the_answer_then_the_survey_in_one_ordered_job(db, make, sent_jobs):
    make.enlace("14")
    vinc = make.user("vinculacion")
    contact = make.contact("+523312345678", "whatsapp", last_inbound_at=datetime(2026, 11, 20, 15, tzinfo=UTC))
    with mx_time(2026, 11, 20, 10):
        case = make.filed_case("queja", "14", canal="whatsapp", contact=contact)
        svc.accept_fur(db, case, make.actor(vinc))
        db.commit()
        notify.case_concluded(case.id)
        notify.case_concluded(case.id)
    messages = _outbound(db, case.id)
    assert [m.kind for m in messages] == [notify.KIND_CONCLUSION, "encuesta"]
    assert "Ya puede acudir a su cita" in messages[0].body
    assert messages[1].body.startswith("Del 1 al 5")
    assert [j.kwargs["message_ids"] for j in sent_jobs] == [[messages[0].id, messages[1].id]]


def test_conclusion_outside_the_window_without_template_goes_by_sms(db, make, sent_jobs):
    make.enlace("14")
    vinc = make.user("vinculacion")
    contact = make.contact("+523312345678", "whatsapp", last_inbound_at=datetime(2026, 11, 1, tzinfo=UTC))
    with mx_time(2026, 11, 20, 10):
        case = make.filed_case("queja", "14", canal="whatsapp", contact=contact)
        svc.accept_fur(db, case, make.actor(vinc))
        db.commit()
        notify.case_concluded(case.id)
    messages = _outbound(db, case.id)
    assert {m.channel for m in messages} == {"sms"}
    assert messages[-1].kind == "encuesta"


def test_not_concluded_case_sends_nothing(db, make, sent_jobs):
    make.enlace("14")
    with mx_time(2026, 11, 20, 10):
        case = make.filed_case("queja", "14", canal="call_center", contacto_telefono="3312345678")
        notify.case_concluded(case.id)
    assert _outbound(db) == []


def test_merge_keeps_other_jobs():
    from core.jobs import Job

    jobs = [Job("send_outbound", {"message_ids": [1, 2]}), Job("other", {}), Job("send_outbound", {"message_ids": [3]})]
    merged = notify.merge_send_jobs(jobs)
    assert [(j.name, j.kwargs) for j in merged] == [("send_outbound", {"message_ids": [1, 2, 3]}), ("other", {})]
    assert notify.merge_send_jobs(jobs[:1]) == jobs[:1]
    assert timedelta(minutes=10) == notify.OPENED_BY_BOT_WINDOW
