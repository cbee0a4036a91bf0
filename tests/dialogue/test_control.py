"""Opt-out/ALTA, handoff, session expiry, media, robustness, idempotency and the job."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.turns import handle_inbound
from core.models import Case, Message
from tests.dialogue.conftest import joined


def outbound(db, contact):
    return db.scalars(select(Message).where(Message.contact_id == contact.id, Message.direction == "outbound")
                      .order_by(Message.id)).all()


# --------------------------------------------------------------------------- opt-out


@pytest.mark.parametrize("word", ["BAJA", "alto", "Stop", "CANCELAR", "ALTO YA", " baja. ", "Alto ya!"])
def test_opt_out_words_stop_everything_until_alta(phone, db, word):
    phone.send("hola")
    replies = phone.send(word)
    assert len(replies) == 1 and "ALTA" in replies[0]
    contact = phone.contact
    assert contact.opt_out is True and contact.opt_out_at is not None
    confirmation = outbound(db, contact)[-1]
    assert confirmation.kind == "opt_out" and confirmation.status == "queued"  # the one final message
    before = len(outbound(db, contact))
    assert phone.send("hola") == []
    assert phone.send("me cobraron 500 en el hospital") == []
    assert phone.send(word) == []  # no second confirmation
    assert len(outbound(db, contact)) == before
    assert db.scalars(select(Case)).all() == []
    msg = phone.last_message
    db.refresh(msg)
    assert msg.status == "processed"  # stored and processed, just not answered
    text = joined(phone.send("ALTA"))
    assert "bienvenida" in text and "1 Queja" in text
    assert phone.contact.opt_out is False


def test_opt_out_alta_and_handoff_leave_an_audit_trail(phone, db):
    """Why a phone stopped hearing from us is on record: once per switch, by the bot."""
    from core.models import AuditEvent

    phone.send("hola")
    phone.send("ya no me manden mensajes")
    phone.send("no me manden nada")  # already out: no second event
    phone.send("ALTA")
    phone.send("quiero hablar con una persona")
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_label) for e in events] == [
        ("baja_contacto", "bot"), ("alta_contacto", "bot"), ("pasar_a_persona", "bot")]
    assert all(e.data == {"contact_id": phone.contact.id} for e in events)


@pytest.mark.parametrize("text", ["me dieron de baja del seguro", "no me quiero dar de baja",
                                  "alto el doctor me cobró", "cancelar mi cita"])
def test_opt_out_words_inside_a_sentence_are_not_an_opt_out(phone, text):
    phone.send("hola")
    assert phone.send(text)
    assert phone.contact.opt_out is False


# --------------------------------------------------------------------------- cancelling a report

# The two places a report is being filled in: a question of the form, and the SI/NO summary.
FORM_STARTS = {
    "asking": ("quiero poner una queja",),
    "summary": ("me cobraron 300 en el centro de salud de zapopan",),
}


def _in_form(phone, where):
    phone.send("hola")
    for text in FORM_STARTS[where]:
        phone.send(text)
    assert phone.contact.dialog_state["form"] is not None


@pytest.mark.parametrize("where", sorted(FORM_STARTS))
def test_cancelar_alone_in_a_form_is_still_an_opt_out_word(phone, db, where):
    """DOMAIN.md §11: CANCELAR stops all messages, in a form too; the one confirmation says the
    report was not registered and how to come back (ALTA)."""
    _in_form(phone, where)
    text = joined(phone.send("CANCELAR"))
    assert "ALTA" in text and "no registré tu reporte" in text
    contact = phone.contact
    assert contact.opt_out is True and contact.dialog_state["form"] is None
    assert [m.kind for m in outbound(db, contact)][-1] == "opt_out"
    assert phone.send("hola") == []  # silence until ALTA
    assert db.scalars(select(Case)).all() == []


@pytest.mark.parametrize("where", sorted(FORM_STARTS))
@pytest.mark.parametrize("text", ["ya no", "olvídalo", "cancelar por favor", "quiero cancelar",
                                  "mejor lo dejo así", "Cancela el reporte"])
def test_cancel_phrases_in_a_form_cancel_it_and_offer_the_menu(phone, db, where, text):
    _in_form(phone, where)
    said = joined(phone.send(text))
    assert "no registré nada" in said and "1 Queja" in said
    assert phone.contact.opt_out is False and phone.contact.dialog_state["form"] is None
    phone.send("si")
    assert db.scalars(select(Case)).all() == []


@pytest.mark.parametrize("where", sorted(FORM_STARTS))
@pytest.mark.parametrize("word", ["BAJA", "STOP", "ya no me manden mensajes"])
def test_explicit_opt_out_in_a_form_unsubscribes(phone, db, where, word):
    _in_form(phone, where)
    replies = phone.send(word)
    assert len(replies) == 1 and "no registré tu reporte" in replies[0] and "ALTA" in replies[0]
    assert phone.contact.opt_out is True
    assert phone.send("si") == []
    assert db.scalars(select(Case)).all() == []


# --------------------------------------------------------------------------- handoff


def test_handoff_by_menu_number_and_silence(phone, db):
    phone.send("hola")
    text = joined(phone.send("6"))
    assert "persona" in text
    assert phone.contact.handoff is True
    assert phone.send("¿hola?") == []
    assert phone.send("", media=[("https://api.twilio.com/2010-04-01/Media/ME9", "image/png")]) == []
    msg = phone.last_message
    db.refresh(msg)
    assert msg.status == "processed"
    # released by staff: the bot answers again
    contact = phone.contact
    contact.handoff = False
    db.commit()
    assert phone.send("hola")


# --------------------------------------------------------------------------- sessions


def test_idle_session_expires_and_offers_to_resume(phone, settings, db):
    phone.send("hola")
    phone.send("1")
    phone.send("no me quisieron atender en urgencias del hospital general")
    phone.advance(settings.session_idle_minutes + 5)
    text = joined(phone.send("hola"))
    assert "inactividad" in text and "SI" in text and "queja" in text.lower()
    resumed = joined(phone.send("si"))
    assert "estado" in resumed.lower()
    summary = joined(phone.send("Zacatecas"))
    assert "no me quisieron atender en urgencias" in summary
    phone.send("si")
    assert db.scalars(select(Case)).one().estado_clave == "32"


def test_expired_session_no_starts_over(phone, settings):
    phone.send("hola")
    phone.send("2")
    phone.advance(settings.session_idle_minutes + 1)
    phone.send("hola")
    text = joined(phone.send("no"))
    assert "1 Queja" in text
    assert phone.contact.dialog_state["form"] is None


def test_expired_session_with_a_new_request_handles_it(phone, settings, db):
    phone.send("hola")
    phone.send("2")
    phone.advance(settings.session_idle_minutes + 1)
    text = joined(phone.send("¿cubren el parto?"))
    assert "inactividad" in text and "CAUSES" in text
    assert db.scalars(select(Case)).one().tipo == "consulta_cobertura"


def test_within_idle_time_no_expiry(phone, settings):
    phone.send("hola")
    phone.send("1")
    phone.advance(settings.session_idle_minutes - 1)
    text = joined(phone.send("el doctor me trató muy mal en el centro de salud"))
    assert "inactividad" not in text and "estado" in text.lower()


# --------------------------------------------------------------------------- media


def test_voice_note_without_text_is_acknowledged_and_kept(phone, db):
    phone.send("hola")
    text = joined(phone.send("", media=[("https://api.twilio.com/2010-04-01/Media/ME3", "audio/ogg")]))
    assert "audio" in text.lower() and "escríbeme" in text.lower()
    assert phone.contact.dialog_state["media"] == [phone.last_message.id]


# --------------------------------------------------------------------------- robustness


@pytest.mark.parametrize("body", ["", "   ", "😀😀😀", "🙏", "asdkjaskd qwpeori", "x" * 5000,
                                  "NO ME ATIENDEN!!!! LLEVO 5 HORAS ESPERANDO EN URGENCIAS", "?", "....",
                                  "<script>alert(1)</script>", "a" * 300 + " queja " * 500, "\u202e\u200b",
                                  "1234567890123456789"])
def test_any_input_gets_a_helpful_reply(phone, body):
    phone.send("hola")
    replies = phone.send(body)
    assert replies and all(r.strip() for r in replies)
    assert phone.last_message.status == "processed"


def test_garbage_in_the_middle_of_a_form_repeats_the_question(phone):
    phone.send("hola")
    phone.send("1")
    phone.send("me trataron muy mal en el hospital civil")
    text = joined(phone.send("qwrtpsdfg zxcvbnm"))
    assert "estado" in text.lower()


def test_angry_caps_with_typos_open_a_queja(phone, db):
    phone.send("hola")
    text = joined(phone.send("NO ME DIERON MI MEDICINA EN EL SENTRO DE SALUD DE GUADALAJARA, SON UNOS RATEROS"))
    assert "Responde SI o NO" in text and "Jalisco" in text
    phone.send("sí")
    assert db.scalars(select(Case)).one().tipo == "queja"


def test_dialogue_error_still_answers_and_marks_processed(phone, db, monkeypatch):
    phone.send("hola")

    def boom(t):
        raise RuntimeError("bug")

    monkeypatch.setattr("bot.turns.run_turn", boom)
    replies = phone.send("hola")
    assert replies and "problema" in replies[0]
    msg = phone.last_message
    db.refresh(msg)
    assert msg.status == "processed" and msg.error


# --------------------------------------------------------------------------- idempotency, order


def test_processing_twice_does_nothing_the_second_time(phone, db, settings):
    phone.send("hola")
    message = phone.receive("me cobraron 150 en el centro de salud de Zapopan")
    first = phone.process(message)
    assert first
    count = len(outbound(db, phone.contact))
    assert handle_inbound(db, message.id, settings=settings) == []
    db.commit()
    assert len(outbound(db, phone.contact)) == count
    assert handle_inbound(db, 999999, settings=settings) == []


def test_earlier_unprocessed_messages_are_handled_first_in_order(phone, db, settings):
    phone.send("hola")
    first = phone.receive("1")
    second = phone.receive("el doctor no me quiso atender en la clínica")
    replies = phone.process(second)  # the job of the second arrives first
    text = joined(replies)
    assert text.index("qué pasó") < text.index("estado")
    db.refresh(first)
    assert first.status == "processed"
    assert handle_inbound(db, first.id, settings=settings) == []


def test_sms_conversation(sms_phone, db):
    text = joined(sms_phone.send("hola"))
    assert "1" in text
    sms_phone.send("me cobraron 150 en el centro de salud de Zapopan")
    sms_phone.send("si")
    case = db.scalars(select(Case)).one()
    assert case.canal == "sms"


# --------------------------------------------------------------------------- the job


def test_process_inbound_message_job_commits_and_enqueues(phone, db, settings, monkeypatch):
    from workers import tasks

    enqueued = []
    monkeypatch.setattr("workers.dispatch.enqueue_jobs", lambda jobs, settings=None: enqueued.extend(jobs))
    phone.send("hola")
    message = phone.receive("quiero hablar con una persona")
    tasks.TASKS["process_inbound_message"](message_id=message.id)
    db.expire_all()
    stored = db.get(Message, message.id)
    assert stored.status == "processed" and stored.intent == "hablar_con_persona"
    assert phone.contact.handoff is True
    assert [j.name for j in enqueued] == ["send_outbound"]
    enqueued.clear()
    tasks.TASKS["process_inbound_message"](message_id=message.id)  # a retried job
    assert enqueued == []


def test_idle_notice_once_per_idle_period_then_resume(phone, settings, db):
    from datetime import timedelta

    from bot.dialogue.expiry import expire_idle_sessions
    from core.timeutil import now

    phone.send("hola")
    phone.send("1")
    later = now() + timedelta(minutes=settings.session_idle_minutes + 2)
    assert expire_idle_sessions(db, settings, at=now()) == []  # not idle yet
    jobs = expire_idle_sessions(db, settings, at=later)
    db.commit()
    notices = [m for m in outbound(db, phone.contact) if m.kind == "session_expired"]
    assert len(notices) == 1 and "inactividad" in notices[0].body and "queja" in notices[0].body
    assert [j.name for j in jobs] == ["send_outbound"]
    assert expire_idle_sessions(db, settings, at=later + timedelta(minutes=5)) == []  # only once
    phone.clock = later + timedelta(minutes=10)
    text = joined(phone.send("hola"))
    assert "SI" in text and "continuar" in text


def test_no_idle_notice_without_a_pending_form_or_to_opted_out(phone, other_phone, settings, db):
    from datetime import timedelta

    from bot.dialogue.expiry import expire_idle_sessions
    from core.timeutil import now

    phone.send("hola")
    phone.send("¿cubren el parto?")
    other_phone.send("hola")
    other_phone.send("2")
    other_phone.send("BAJA")
    later = now() + timedelta(minutes=settings.session_idle_minutes + 2)
    assert expire_idle_sessions(db, settings, at=later) == []


def test_sms_summary_fits_in_short_messages(sms_phone):
    from bot.channels.sms import segment_count

    sms_phone.send("hola")
    replies = sms_phone.send("me cobraron 150 en el centro de salud de Zapopan por la consulta de mi hijo que "
                             "tenía fiebre muy alta desde el lunes pasado y no había doctor en el turno")
    assert any("Responde SI o NO" in r for r in replies)
    assert all(segment_count(r) <= 2 for r in replies)
