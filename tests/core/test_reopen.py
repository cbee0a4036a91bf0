"""Reopen (issue 17 item 1): a new round on the same folio, by vinculación or by the affiliate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.actors import BOT
from core.enums import CaseStatus, Role
from core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationError
from core.models import AuditEvent, Reopening, Setting
from core.services import cases as svc
from core.services.reopen import reopen_by_affiliate, reopen_case, reopenable_case
from core.timeutil import now


def _concluded(make, db, **kw):
    vin = make.actor(make.user(Role.VINCULACION))
    case = make.filed_case(**kw)
    svc.accept_fur(db, case, vin)
    db.commit()
    return case, vin


def test_vinculacion_reopens_a_concluded_case_with_a_new_round_and_plazo(make, db):
    case, vin = _concluded(make, db)
    enlace_id = case.volantes[0].enlace_id
    with pytest.raises(ValidationError):
        reopen_case(db, case, vin, "   ")
    result = reopen_case(db, case, vin, "El afiliado llamó: le siguen cobrando la consulta")
    db.commit()
    assert case.status == CaseStatus.TURNADA
    assert case.ronda == 2 and case.closed_at is None
    assert [(v.numero, v.ronda, v.status) for v in case.volantes] == [(1, 1, "aceptado"), (2, 2, "abierto")]
    nuevo = case.volantes[1]
    assert nuevo.enlace_id == enlace_id
    assert nuevo.plazo_dias == case.volantes[0].plazo_dias  # the tipo's full plazo, not a devolución's
    assert "le siguen cobrando" in nuevo.instructions
    assert case.current_volante_id == nuevo.id
    assert [(j.name, j.kwargs) for j in result.jobs] == [
        ("notify_case_reopened", {"case_id": case.id, "volante_id": nuevo.id})]
    row = db.scalar(select(Reopening).where(Reopening.case_id == case.id))
    assert (row.ronda, row.from_status, row.by_affiliate) == (2, "concluida", False)
    event = db.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)).all()[-1]
    assert (event.action, event.from_status, event.to_status) == ("reabrir", "concluida", "turnada")
    # the new round runs like the first: FUR, review, conclusion
    svc.save_fur(db, nuevo, make.actor(nuevo.enlace), make.fur_data(), submit=True)
    svc.accept_fur(db, case, vin)
    assert case.status == CaseStatus.CONCLUIDA and case.closed_at is not None


def test_an_attended_case_reopens_into_gestion_and_is_turned(make, db):
    make.enlace("14")
    vin = make.actor(make.user(Role.VINCULACION))
    case = make.case("consulta_cobertura", "14")
    assert case.status == CaseStatus.ATENDIDA
    result = reopen_case(db, case, vin, "La respuesta automática no aplicaba a su caso")
    assert case.status == CaseStatus.TURNADA and case.amerita_gestion is True
    assert [(v.numero, v.ronda) for v in case.volantes] == [(1, 2)]
    assert [j.name for j in result.jobs] == ["notify_case_reopened"]
    # without estado it waits in registrada for vinculación
    other = make.case("consulta_cobertura", None)
    result = reopen_case(db, other, vin, "No se resolvió")
    assert other.status == CaseStatus.REGISTRADA and other.volantes == []
    assert result.jobs[0].kwargs == {"case_id": other.id, "volante_id": None}


def test_only_closed_cases_reopen_and_only_by_vinculacion_or_the_bot(make, db):
    case, _vin = _concluded(make, db)
    enlace = make.actor(make.enlace("14"))
    for actor in (enlace, make.actor(make.user(Role.PARTICIPACION_SOCIAL)), make.actor(make.user(Role.ADMIN))):
        with pytest.raises(PermissionDenied):
            reopen_case(db, case, actor, "motivo")
    open_case = make.case("queja", "14")
    with pytest.raises(IllegalTransition):
        reopen_case(db, open_case, make.actor(make.user(Role.VINCULACION)), "motivo")
    db.rollback()
    cancelled = make.case("queja", "14")
    vin = make.actor(make.user(Role.VINCULACION))
    svc.cancel_case(db, cancelled, vin, "spam")
    with pytest.raises(IllegalTransition):
        reopen_case(db, cancelled, vin, "motivo")


def test_affiliate_reopens_own_case_within_the_window(make, db):
    contact = make.contact("+523312340000")
    stranger = make.contact("+523399990000")
    case, _vin = _concluded(make, db, contact=contact)
    assert reopenable_case(db, stranger) is None
    with pytest.raises(NotFound):
        reopen_by_affiliate(db, stranger, folio=case.folio)
    assert reopenable_case(db, contact).id == case.id
    result = reopen_by_affiliate(db, contact, folio=case.folio.lower(), reason="me volvieron a cobrar")
    db.commit()
    assert case.status == CaseStatus.TURNADA and case.ronda == 2
    row = db.scalar(select(Reopening).where(Reopening.case_id == case.id))
    assert row.by_affiliate and row.actor_id is None and "me volvieron a cobrar" in row.reason
    assert result.jobs[0].name == "notify_case_reopened"
    event = db.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == "reabrir")).one()
    assert event.actor_label == BOT.label


def test_affiliate_cannot_reopen_after_the_window(make, db):
    contact = make.contact("+523312340001")
    case, _vin = _concluded(make, db, contact=contact)
    db.add(Setting(key="reapertura_dias_habiles", value="3"))
    case.closed_at = now() - timedelta(days=15)
    db.commit()
    assert reopenable_case(db, contact) is None
    with pytest.raises(ValidationError) as exc:
        reopen_by_affiliate(db, contact, folio=case.folio)
    assert "3 días hábiles" in exc.value.message
    assert case.status == CaseStatus.CONCLUIDA
