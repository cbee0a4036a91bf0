"""After a report: the same matter told again goes to its folio (core.duplicates), and a closed
folio the affiliate says was not solved is reopened on their yes (core.services.reopen)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.enums import CaseStatus, Role
from core.models import Case, Message, Reopening
from core.services import cases as svc
from tests.dialogue.conftest import joined

CHARGE = "me cobraron 450 de la consulta en el centro de salud de Tlaquepaque, Jalisco"


def cases(db):
    return db.scalars(select(Case).order_by(Case.id)).all()


def _report(phone):
    phone.send(CHARGE)
    return joined(phone.send("si"))


def test_the_same_charge_told_again_is_added_to_its_folio_on_yes(phone, db):
    phone.send("hola")
    first = _report(phone)
    [case] = cases(db)
    assert case.folio in first
    phone.send(CHARGE)
    asked = joined(phone.send("si"))
    assert f"folio {case.folio}" in asked and "mismo asunto" in asked
    added = joined(phone.send("sí, es el mismo"))
    assert f"agregamos tu mensaje a tu folio {case.folio}" in added
    assert len(cases(db)) == 1  # no second folio
    linked = db.scalars(select(Message).where(Message.case_id == case.id,
                                              Message.direction == "inbound")).all()
    assert sum(m.body == CHARGE for m in linked) == 2  # the second telling is on the first folio


def test_a_different_matter_answered_no_gets_its_own_folio(phone, db):
    phone.send("hola")
    _report(phone)
    phone.send(CHARGE)
    phone.send("si")
    registered = joined(phone.send("no, es otro"))
    assert "Registramos tu reporte" in registered
    assert len(cases(db)) == 2


def test_a_closed_folio_not_solved_is_reopened_on_yes(phone, db, make):
    phone.send("hola")
    _report(phone)
    [case] = cases(db)
    vin = make.actor(make.user(Role.VINCULACION))
    enlace = make.actor(make.enlace(case.estado_clave))
    fur = make.fur_data(monto_reclamado=450, monto_reembolsado=450, fecha_reembolso=date(2026, 11, 21))
    svc.save_fur(db, case.open_volante, enlace, fur, submit=True)
    svc.accept_fur(db, case, vin)
    db.commit()
    assert case.status == CaseStatus.CONCLUIDA
    offer = joined(phone.send("oigan pero no se resolvió nada, me siguen cobrando"))
    assert f"reabramos tu folio {case.folio}" in offer
    done = joined(phone.send("si"))
    assert f"reabrimos tu folio {case.folio}" in done
    db.refresh(case)
    assert case.status == CaseStatus.TURNADA and case.ronda == 2
    row = db.scalar(select(Reopening).where(Reopening.case_id == case.id))
    assert row.by_affiliate and "no se resolvió" in row.reason
