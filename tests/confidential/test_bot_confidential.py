"""The bot (issue 17 item 9): a report that asks «que no sepan mi nombre» is registered as
confidential; the registration message gives the follow code once, and it opens the public page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core import follow
from core.models import Case, Message
from tests.dialogue.conftest import Phone, joined

CODE_RE = re.compile(r"código de seguimiento es ([A-Z0-9]{4}-[A-Z0-9]{4})")


@pytest.fixture
def phone(db, settings):
    return Phone(db, settings)


def _report(phone, story: str) -> str:
    phone.send("hola")
    phone.send(story)
    return joined(phone.send("SI"))


def test_confidential_report_from_the_bot(phone, make, db):
    make.enlace("14")
    text = _report(phone, "Quiero poner una queja, en el centro de salud de Zapopan Jalisco no me quisieron "
                          "atender, por favor que no sepan mi nombre")
    case = db.scalar(select(Case))
    assert case is not None and case.confidencial is True
    assert case.folio in text and "confidencial" in text
    code = CODE_RE.search(text).group(1)
    assert f"{phone.settings.public_base_url}/seguimiento" in text
    assert follow.public_status(db, case.folio, code).status == case.status
    assert code.replace("-", "") not in (case.follow_code_hash or "")
    assert db.scalar(select(Message.id).where(Message.body.contains(code))) is not None  # the message sent


def test_an_ordinary_report_is_not_confidential_but_gets_a_code(phone, make, db):
    make.enlace("14")
    text = _report(phone, "Quiero poner una queja, en el centro de salud de Zapopan Jalisco no me quisieron atender")
    case = db.scalar(select(Case))
    assert case.confidencial is False and "confidencial" not in text
    assert follow.public_status(db, case.folio, CODE_RE.search(text).group(1)) is not None
