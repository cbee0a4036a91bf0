"""The satisfaction answer: parsing 1-5 and storing it on the right case."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.enums import Direction
from core.models import AuditEvent, Case, Message
from core.satisfaction import parse_score, pending_survey, record_answer
from core.services import cases as svc
from tests.plazos.conftest import mx_time
from workers import notify


@pytest.mark.parametrize("text, expected", [
    ("5", (5, None)),
    ("4 muy bien", (4, "muy bien")),
    ("cinco", (5, None)),
    ("Cuatro, me atendieron rápido", (4, "me atendieron rápido")),
    ("3/5 tardaron mucho", (3, "tardaron mucho")),
    ("le doy un 2", (2, None)),
    ("⭐⭐⭐⭐", (4, None)),
    ("1. Nadie me llamó", (1, "Nadie me llamó")),
])
def test_parse_score_reads_answers(text, expected):
    assert parse_score(text) == expected


@pytest.mark.parametrize("text", ["hola", "10", "0", "entre 3 y 4", "", "quiero poner una queja por 2 cosas",
                                  "mi folio es SINAC-2026-000123"])
def test_parse_score_refuses_non_answers(text):
    assert parse_score(text) is None


def _concluded_with_survey(db, make, sent_jobs):
    make.enlace("14")
    vinc = make.user("vinculacion")
    contact = make.contact("+523312345678", "whatsapp", last_inbound_at=datetime(2026, 11, 20, 15, tzinfo=UTC))
    with mx_time(2026, 11, 20, 10):
        case = make.filed_case("queja", "14", canal="whatsapp", contact=contact)
        svc.accept_fur(db, case, make.actor(vinc))
        db.commit()
        notify.case_concluded(case.id)
    return case, contact


def test_answer_is_recorded_on_the_concluded_case(db, make, sent_jobs):
    case, contact = _concluded_with_survey(db, make, sent_jobs)
    with mx_time(2026, 11, 21, 9):
        assert pending_survey(db, contact).id == case.id
        assert record_answer(db, contact, "4 muy bien, gracias") is True
        db.commit()
    db.expire_all()
    stored = db.get(Case, case.id)
    assert stored.satisfaction == 4
    assert stored.satisfaction_comment == "muy bien, gracias"
    assert stored.satisfaction_at is not None
    assert "encuesta_satisfaccion" in db.scalars(select(AuditEvent.action)).all()
    # answered: a second number is not taken as a new score
    with mx_time(2026, 11, 21, 9, 5):
        assert record_answer(db, contact, "5") is False
    assert db.get(Case, case.id).satisfaction == 4


def test_text_that_is_not_a_score_is_left_to_the_dialogue(db, make, sent_jobs):
    case, contact = _concluded_with_survey(db, make, sent_jobs)
    with mx_time(2026, 11, 21, 9):
        assert record_answer(db, contact, "quiero saber de otro folio") is False
    assert db.get(Case, case.id).satisfaction is None


def test_no_pending_survey_once_the_bot_said_something_else(db, make, sent_jobs):
    case, contact = _concluded_with_survey(db, make, sent_jobs)
    with mx_time(2026, 11, 21, 9):
        db.add(Message(contact_id=contact.id, direction=Direction.OUTBOUND, channel="whatsapp",
                       body="Elige una opción: 1) Queja 2) Cobro", status="sent", kind="reply"))
        db.commit()
        assert record_answer(db, contact, "2") is False  # a menu choice, not a score
    assert db.get(Case, case.id).satisfaction is None


def test_survey_expires_after_a_week(db, make, sent_jobs):
    _case, contact = _concluded_with_survey(db, make, sent_jobs)
    with mx_time(2026, 11, 28, 11):
        assert record_answer(db, contact, "5") is False


def test_other_contact_cannot_answer(db, make, sent_jobs):
    _case, _ = _concluded_with_survey(db, make, sent_jobs)
    stranger = make.contact("+523399999999", "whatsapp")
    with mx_time(2026, 11, 21, 9):
        assert record_answer(db, stranger, "5") is False
