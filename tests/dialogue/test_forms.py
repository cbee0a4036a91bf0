"""Forms: early entities, missing slots, summary with consent, corrections, NO, registration."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from core.models import Attachment, Case, Message
from tests.dialogue.conftest import joined

FOLIO_RE = re.compile(r"SINAC-\d{4}-\d{6}")
DATE_RE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


def cases(db):
    return db.scalars(select(Case).order_by(Case.id)).all()


def test_first_contact_greets_with_privacy_notice_and_menu(phone, settings, db):
    replies = phone.send("hola")
    text = joined(replies)
    assert settings.privacy_url in text
    for option in ("1 Queja", "2 ", "3 ", "4 Información", "5 Mi folio", "6 Hablar con una persona"):
        assert option in text
    contact = phone.contact
    assert contact.privacy_notice_at is not None
    msg = phone.last_message
    db.refresh(msg)
    assert msg.status == "processed" and msg.processed_at is not None
    assert msg.intent == "saludo" and msg.confidence > 0.5

    again = joined(phone.send("hola"))
    assert settings.privacy_url not in again  # the notice is shown once
    assert "1 Queja" in again


def test_cobro_with_everything_in_the_first_message_goes_straight_to_summary(phone, make, db):
    make.enlace("14")
    phone.send("hola")
    replies = phone.send("me cobraron 150 en el centro de salud de Zapopan")
    text = joined(replies)
    assert "Jalisco" in text and "$150" in text and "centro de salud de Zapopan" in text
    assert "¿Registramos tu reporte así? Responde SI o NO" in text
    assert "datos" in text and "salud" in text  # consent for health data is part of the question
    msg = phone.last_message
    db.refresh(msg)
    assert msg.intent == "cobro_injustificado"
    assert any(e["entity"] == "monto" and e["value"] == 150 for e in msg.entities)
    assert cases(db) == []  # nothing registered before SI

    replies = phone.send("SI")
    text = joined(replies)
    [case] = cases(db)
    assert case.folio in text and DATE_RE.search(text)
    assert case.open_volante.due_date.strftime("%d/%m/%Y") in text
    assert "recibo" in text.lower() and "reembolso" in text.lower()
    assert case.tipo == "cobro_injustificado" and case.canal == "whatsapp"
    assert case.estado_clave == "14" and case.status == "turnada"
    assert case.monto == Decimal("150.00") and case.unidad == "centro de salud de Zapopan"
    assert case.contact_id == phone.contact.id
    contact = phone.contact
    assert contact.consent_at is not None and contact.estado_clave == "14"
    db.refresh(phone.last_message)
    assert phone.last_message.case_id == case.id
    assert any(j.name == "notify_volante_opened" for j in phone.last_jobs)
    assert any(j.name == "send_outbound" for j in phone.last_jobs)


def test_queja_by_number_asks_only_what_is_missing(phone, make, db):
    make.enlace("21")
    phone.send("hola")
    assert "qué pasó" in joined(phone.send("1"))
    ask = joined(phone.send("no me quisieron dar la medicina para la presión en la clínica"))
    assert "estado" in ask.lower() and "Registramos" not in ask
    summary = joined(phone.send("puebla"))
    assert "Puebla" in summary and "Monto" not in summary  # no monto for a queja
    assert "Responde SI o NO" in summary
    done = joined(phone.send("sí"))
    [case] = cases(db)
    assert case.tipo == "queja" and case.estado_clave == "21"
    assert "medicina para la presión" in case.description
    assert case.folio in done and "reembolso" not in done.lower()
    # the conversation's messages are linked to the case
    linked = db.scalars(select(Message).where(Message.case_id == case.id, Message.direction == "inbound")).all()
    assert len(linked) >= 3


def test_cobro_asks_for_monto_and_reads_loose_amounts(phone, db):
    phone.send("hola")
    phone.send("2")
    assert "cuánto" in joined(phone.send("me cobraron el ultrasonido en el hospital general de Tlaxcala")).lower()
    summary = joined(phone.send("tres mil quinientos"))
    assert "$3,500" in summary and "Tlaxcala" in summary
    assert "Concepto: ultrasonido" in summary  # the study itself, not just "estudio"
    phone.send("si")
    [case] = cases(db)
    assert case.monto == Decimal("3500.00") and case.concepto == "ultrasonido" and case.estado_clave == "29"


def test_corrections_update_the_slots(phone, db):
    phone.send("hola")
    phone.send("me cobraron 150 en el centro de salud de Zapopan")
    fixed = joined(phone.send("no, fueron 3500"))
    assert "$3,500" in fixed and "$150" not in fixed and "Responde SI o NO" in fixed
    fixed = joined(phone.send("perdón, es Tlaxcala"))
    assert "Tlaxcala" in fixed and "Jalisco" not in fixed
    phone.send("si")
    [case] = cases(db)
    assert case.monto == Decimal("3500.00") and case.estado_clave == "29"


def test_no_asks_what_to_fix_and_a_second_no_registers_nothing(phone, db):
    phone.send("hola")
    phone.send("me cobraron 200 por la consulta en Morelia")
    text = joined(phone.send("NO"))
    assert "Qué corregimos" in text and "no registré nada" not in text
    assert phone.contact.dialog_state["form"] is not None
    text = joined(phone.send("no"))
    assert "no registré nada" in text
    assert cases(db) == []
    assert phone.contact.dialog_state["form"] is None
    assert "1 Queja" in joined(phone.send("hola"))


def test_new_intent_mid_form_coverage_is_answered_and_the_form_resumes(phone, db):
    phone.send("hola")
    phone.send("1")
    ask = joined(phone.send("en el hospital no me quisieron atender a mi mamá"))
    assert "estado" in ask.lower()
    text = joined(phone.send("¿cubren la diabetes?"))
    assert "CAUSES" in text  # the coverage answer
    assert "Sigamos con tu reporte" in text and "estado" in text.lower()
    summary = joined(phone.send("Oaxaca"))
    assert "Oaxaca" in summary and "no me quisieron atender" in summary
    phone.send("si")
    tipos = sorted(c.tipo for c in cases(db))
    assert tipos == ["consulta_cobertura", "queja"]
    consulta = next(c for c in cases(db) if c.tipo == "consulta_cobertura")
    assert consulta.status == "atendida" and consulta.topic


def test_hablar_con_persona_wins_mid_form(phone, db):
    phone.send("hola")
    phone.send("me cobraron 300 en el hospital")
    text = joined(phone.send("mejor quiero hablar con una persona"))
    assert "persona" in text
    contact = phone.contact
    assert contact.handoff is True and contact.handoff_at is not None
    assert phone.send("hola? sigue ahí?") == []  # the bot stays quiet while a person attends
    assert cases(db) == []


def test_remembered_estado_is_used_next_time_and_shown_for_confirmation(phone, db):
    phone.send("hola")
    phone.send("me cobraron 150 en el centro de salud de Zapopan")
    phone.send("si")
    summary = joined(phone.send("quiero poner una queja, el doctor me trató muy mal y me gritó"))
    assert "Jalisco" in summary and "Responde SI o NO" in summary
    phone.send("si")
    assert [c.estado_clave for c in cases(db)] == ["14", "14"]


def test_sugerencia_and_felicitacion_are_registered_with_estado(phone, db):
    phone.send("hola")
    text = joined(phone.send("quiero felicitar a la enfermera Lupita del centro de salud de Tepic, muy amable"))
    assert "Felicitación" in text or "estado" in text.lower()
    if "estado" in text.lower() and "Responde SI o NO" not in text:
        phone.send("Nayarit")
    phone.send("si")
    [case] = cases(db)
    assert case.tipo == "felicitacion" and case.estado_clave == "18"


def test_extra_story_at_confirmation_is_added_to_the_description(phone, db):
    phone.send("hola")
    phone.send("me cobraron 150 en el centro de salud de Zapopan")
    text = joined(phone.send("además la doctora no me dio recibo y me dijo que era una cooperación"))
    assert "agregué" in text.lower() and "Responde SI o NO" in text
    phone.send("si")
    [case] = cases(db)
    assert "cooperación" in case.description


def test_media_before_and_during_a_form_ends_on_the_case(phone, db):
    phone.send("hola")
    text = joined(phone.send("", media=[("https://api.twilio.com/2010-04-01/Media/ME1", "image/jpeg")]))
    assert "foto" in text.lower() and "escríbeme" in text.lower()
    phone.send("me cobraron 400 por el parto en el hospital de la mujer de Puebla")
    text = joined(phone.send("", media=[("https://api.twilio.com/2010-04-01/Media/ME2", "audio/ogg")]))
    assert "audio" in text.lower() and "Responde SI o NO" in text
    phone.send("si")
    [case] = cases(db)
    attachments = db.scalars(select(Attachment).where(Attachment.case_id == case.id)).all()
    assert {a.content_type for a in attachments} == {"image/jpeg", "audio/ogg"}
    assert all(a.message_id is not None for a in attachments)


def test_receipt_photo_after_registration_goes_to_that_case(phone, db):
    phone.send("hola")
    phone.send("me cobraron 150 en el centro de salud de Zapopan")
    phone.send("si")
    case = cases(db)[0]
    text = joined(phone.send("", media=[("https://api.twilio.com/2010-04-01/Media/ME7", "image/jpeg")]))
    assert case.folio in text
    [attachment] = db.scalars(select(Attachment).where(Attachment.case_id == case.id)).all()
    assert attachment.message_id == phone.last_message.id
    db.refresh(phone.last_message)
    assert phone.last_message.case_id == case.id


def test_captioned_photo_after_registration_goes_to_that_case(phone, db):
    phone.send("hola")
    phone.send("me cobraron 150 en el centro de salud de Zapopan")
    phone.send("si")
    case = cases(db)[0]
    text = joined(phone.send("aquí está el recibo",
                             media=[("https://api.twilio.com/2010-04-01/Media/ME8", "image/jpeg")]))
    assert case.folio in text and "No entendí" not in text
    [attachment] = db.scalars(select(Attachment).where(Attachment.case_id == case.id)).all()
    assert attachment.message_id == phone.last_message.id
    # a caption that asks something else is answered as well
    text = joined(phone.send("¿la cesárea la cubren?",
                             media=[("https://api.twilio.com/2010-04-01/Media/ME9", "image/jpeg")]))
    assert case.folio in text and "CAUSES" in text
    assert len(db.scalars(select(Attachment).where(Attachment.case_id == case.id)).all()) == 2


def test_a_short_first_message_is_kept_with_the_story(phone, db):
    phone.send("hola")
    phone.send("me cobraron 200")
    phone.send("fue en el hospital general, por una curación")
    summary = joined(phone.send("Morelos"))
    assert "me cobraron 200" in summary and "curación" in summary and "$200" in summary
    phone.send("si")
    case = cases(db)[0]
    assert case.description.startswith("me cobraron 200") and "curación" in case.description


def test_asking_for_the_folio_before_confirming(phone, db):
    phone.send("hola")
    phone.send("me cobraron 300 por la consulta en Toluca")
    text = joined(phone.send("¿cuál es mi folio?"))
    assert "folio en cuanto" in text and "Responde SI o NO" in text
    assert cases(db) == []


def test_coverage_question_while_asked_for_the_amount(phone, db):
    phone.send("hola")
    phone.send("2")
    phone.send("me cobraron la consulta en el centro de salud de Zapopan")
    text = joined(phone.send("¿oigan y cubren la diabetes?"))
    assert "CAUSES" in text and "cuánto" in text.lower()
    assert "$500" in joined(phone.send("500"))


def test_a_charge_report_asks_where_and_takes_the_unit_given_at_the_summary(phone, db):
    phone.send("hola")
    ask = joined(phone.send("me hicieron pagar 450 por la consulta"))
    assert "estado" in ask and "clínica u hospital" in ask  # where, with the estado
    summary = joined(phone.send("fue en Puebla"))
    assert "Unidad: sin indicar" in summary  # still unknown: invited, not demanded
    summary = joined(phone.send("en el centro de salud de San Martín Texmelucan"))
    assert "Unidad: centro de salud de San Martín Texmelucan" in summary
    phone.send("si")
    [case] = cases(db)
    assert case.unidad == "centro de salud de San Martín Texmelucan" and case.estado_clave == "21"


def test_a_suggestion_is_not_asked_for_a_unit(phone, db):
    phone.send("hola")
    phone.send("quiero dejar una sugerencia")
    ask = joined(phone.send("que pongan mas sillas en la sala de espera porque la gente espera parada"))
    assert "clínica u hospital" not in ask


def test_asking_for_a_person_while_reporting_a_charge_hands_off(phone, db):
    phone.send("hola")
    text = joined(phone.send("quiero hablar con una persona porque me cobraron 1100 de la consulta"))
    assert "una persona" in text and phone.contact.handoff is True
    assert cases(db) == []  # the person takes it from here


def test_no_to_the_summary_then_the_fix_registers_the_corrected_report(phone, db):
    phone.send("me cobraron 1,200 por la endoscopia en el hospital de Cuernavaca")
    assert "Qué corregimos" in joined(phone.send("no"))
    fixed = joined(phone.send("fueron 1,400, ya vi el recibo"))
    assert "$1,400" in fixed and "Responde SI o NO" in fixed
    phone.send("si")
    [case] = cases(db)
    assert case.monto == Decimal("1400.00") and case.estado_clave == "17"


def test_cancelar_at_the_summary_registers_nothing_at_once(phone, db):
    phone.send("me cobraron 200 por la consulta en Morelia")
    assert "no registré nada" in joined(phone.send("mejor no, cancela"))
    assert cases(db) == []
