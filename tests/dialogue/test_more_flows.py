"""More conversations: greeting plus request, vague questions, money mid-form, unknown amounts,
concluded folios, concurrency."""

from __future__ import annotations

import threading

from sqlalchemy import select

from core.models import Case, Message
from core.services import cases as svc
from tests.dialogue.conftest import joined


def test_greeting_with_a_request_starts_the_request(phone):
    text = joined(phone.send("Hola buenas tardes, quiero reportar un cobro"))
    assert "aviso de privacidad" in text and "qué te cobraron" in text


def test_vague_information_request_shows_topics(phone):
    phone.send("hola")
    text = joined(phone.send("tengo una duda"))
    assert "Renovación" in text and "Vigencia" in text


def test_amount_given_while_asked_for_estado_is_kept(phone, db):
    phone.send("hola")
    phone.send("me quieren cobrar la operación de la vesícula")
    phone.send("son 15 mil")
    summary = joined(phone.send("Guerrero"))
    assert "$15,000" in summary and "Guerrero" in summary


def test_unknown_amount_registers_without_it(phone, db):
    # stop 33: "no me acuerdo" is the answer (asking again for an approximate figure cost a turn
    # people did not expect; the enlace asks for the receipt)
    phone.send("hola")
    phone.send("me cobraron la consulta en el centro de salud de Celaya")
    summary = joined(phone.send("no me acuerdo"))
    assert "Responde SI o NO" in summary and "Monto" not in summary
    phone.send("si")
    case = db.scalars(select(Case)).one()
    assert case.tipo == "cobro_injustificado" and case.monto is None and case.estado_clave == "11"


def test_tramite_without_folio(phone):
    phone.send("hola")
    phone.send("quiero dar seguimiento a mi queja")
    text = joined(phone.send("no tengo el folio"))
    assert "6" in text and "teléfono" in text


def test_concluded_case_shows_the_answer_to_the_citizen(phone, db, make):
    phone.send("hola")
    case = make.filed_case(contact=phone.contact)
    svc.accept_fur(db, case, make.actor(make.user()))
    db.commit()
    text = joined(phone.send(f"mi folio es {case.folio}"))
    assert "concluido" in text and "sin costo" in text  # the FUR's respuesta al ciudadano


def test_menu_word_leaves_a_form(phone):
    phone.send("hola")
    phone.send("1")
    text = joined(phone.send("MENÚ"))
    assert "1 Queja" in text
    assert phone.contact.dialog_state["form"] is None


def test_cancel_phrase_mid_form_is_not_an_opt_out(phone):
    phone.send("hola")
    phone.send("2")
    text = joined(phone.send("ya no quiero"))
    assert "no registré nada" in text and phone.contact.opt_out is False


def test_concurrent_jobs_for_one_phone_run_one_after_the_other(phone, db, settings, monkeypatch):
    """Two workers take two messages of the same phone at once: both processed exactly once, in order."""
    from workers import tasks

    monkeypatch.setattr("workers.dispatch.enqueue_jobs", lambda jobs, settings=None: None)
    phone.send("hola")
    first = phone.receive("1")
    second = phone.receive("el doctor no me quiso atender en la clínica de Tepic")
    errors = []

    def run(message_id):
        try:
            tasks.TASKS["process_inbound_message"](message_id=message_id)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(m.id,)) for m in (second, first)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert errors == []
    db.expire_all()
    assert {db.get(Message, m.id).status for m in (first, second)} == {"processed"}
    replies = [m.body for m in db.scalars(select(Message).where(Message.direction == "outbound")
                                          .order_by(Message.id))]
    text = "\n".join(replies)
    assert text.count("qué pasó") == 1 and text.index("qué pasó") < text.index("Responde SI o NO")


def test_registration_failure_keeps_the_form(phone, db, monkeypatch):
    from core.errors import ValidationError

    phone.send("hola")
    phone.send("me cobraron 150 en el centro de salud de Zapopan")

    def fail(*args, **kwargs):
        raise ValidationError("El estado no es válido.")

    monkeypatch.setattr("core.services.cases.register_case", fail)
    text = joined(phone.send("si"))
    assert "No pude registrar" in text
    assert phone.contact.dialog_state["form"] is not None
    monkeypatch.undo()
    phone.send("si")
    assert db.scalars(select(Case)).one().tipo == "cobro_injustificado"


def test_bot_registered_contacts_carry_the_channel(sms_phone, db):
    sms_phone.send("hola")
    sms_phone.send("¿cubren el parto?")
    case = db.scalars(select(Case)).one()
    assert case.canal == "sms" and case.contact_id == sms_phone.contact.id
    assert case.created_by_id is None and case.status == "atendida"  # registered by the bot


def test_satisfaction_survey_answer_is_recorded_not_taken_as_a_menu_choice(phone, db, make):
    from bot.outbound.queueing import queue_replies
    from core import satisfaction

    phone.send("hola")
    case = make.filed_case(contact=phone.contact)
    svc.accept_fur(db, case, make.actor(make.user()))
    queue_replies(db, phone.contact, [satisfaction.QUESTION], case_id=case.id, kind=satisfaction.SURVEY_KIND)
    db.commit()
    text = joined(phone.send("1 nunca me resolvieron"))
    assert text.startswith(satisfaction.THANKS)
    assert f"reabramos tu folio {case.folio}" in text  # a low score offers to reopen (issue 17)
    db.refresh(case)
    assert case.satisfaction == 1 and case.satisfaction_comment == "nunca me resolvieron"
    assert phone.last_message.case_id == case.id
    assert "se queda cerrado" in joined(phone.send("no"))
    db.refresh(case)
    assert case.status == "concluida"
    assert "qué pasó" in joined(phone.send("1"))  # afterwards "1" is the menu again
