"""Possible duplicates at registration and merging (issue 17 item 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.actors import BOT
from core.duplicates import find_candidates, surviving
from core.enums import CaseStatus, Role
from core.errors import IllegalTransition, PermissionDenied, ValidationError
from core.models import AuditEvent
from core.services.merge import merge_cases
from core.timeutil import now


def _cobro(make, contact=None, **kw):
    kw.setdefault("description", "Me cobraron 350 pesos por la consulta")
    kw.setdefault("unidad", "Centro de Salud Tlaquepaque")
    kw.setdefault("monto", 350)
    return make.case("cobro_injustificado", kw.pop("estado_clave", "14"), contact=contact, **kw)


def test_same_contact_tipo_estado_and_unit_is_flagged(make, db):
    make.enlace("14")
    contact = make.contact("+523312345001")
    first = _cobro(make, contact)
    assert first.possible_duplicate_id is None
    second = _cobro(make, contact, unidad="centro de salud TLAQUEPAQUE", description="otra vez lo del cobro")
    assert second.possible_duplicate_id == first.id
    event = db.scalar(select(AuditEvent).where(AuditEvent.case_id == second.id,
                                               AuditEvent.action == "posible_duplicado"))
    assert event.data == {"folios": [first.folio]}


@pytest.mark.parametrize("change", [
    {"unidad": "Hospital General de Zapopan"},  # a different unit
    {"monto": 900},  # a different amount
    {"estado_clave": "20"},  # another estado
    {"tipo": "queja"},  # another tipo
])
def test_a_contradiction_is_not_a_duplicate(make, db, change):
    make.enlace("14"), make.enlace("20")
    contact = make.contact("+523312345002")
    _cobro(make, contact)
    tipo = change.pop("tipo", "cobro_injustificado")
    case = make.case(tipo, change.pop("estado_clave", "14"), contact=contact, description="x",
                     unidad=change.get("unidad", "Centro de Salud Tlaquepaque"), monto=change.get("monto", 350))
    assert case.possible_duplicate_id is None


def test_another_person_or_an_old_case_is_not_a_duplicate(make, db):
    make.enlace("14")
    first = _cobro(make, make.contact("+523312345003"))
    other = _cobro(make, make.contact("+523312345004"))
    assert other.possible_duplicate_id is None
    first.created_at = now() - timedelta(days=31)
    db.commit()
    again = _cobro(make, make.contact("+523312345003"))
    assert again.possible_duplicate_id is None


def test_call_center_phone_and_curp_find_the_same_person(make, db):
    make.enlace("14")
    contact = make.contact("+523312345005")
    first = _cobro(make, contact)
    # the call-center form: a phone typed in another format, no Contact yet
    found = find_candidates(db, tipo="cobro_injustificado", estado_clave="14", phone="33 1234 5005",
                            unidad="C.S. Tlaquepaque centro de salud tlaquepaque", monto="350.00")
    assert [c.id for c in found] == [first.id]
    curp_case = make.case("queja", "14", canal="call_center", curp="GODE561231HDFRRN09", description="a")
    found = find_candidates(db, tipo="queja", estado_clave=None, curp="gode561231hdfrrn09")
    assert [c.id for c in found] == [curp_case.id]
    assert find_candidates(db, tipo="queja", estado_clave="14") == []  # nobody to compare


def test_merge_points_the_duplicate_to_the_survivor_and_keeps_both_histories(make, db):
    make.enlace("14")
    vin = make.actor(make.user(Role.VINCULACION))
    contact = make.contact("+523312345006")
    first = _cobro(make, contact)
    dup = _cobro(make, contact)
    with pytest.raises(PermissionDenied):
        merge_cases(db, dup, first, BOT)
    with pytest.raises(ValidationError):
        merge_cases(db, dup, dup, vin)
    result = merge_cases(db, dup, first, vin, "Mismo cobro reportado dos veces")
    db.commit()
    assert dup.status == CaseStatus.CANCELADA and dup.merged_into_id == first.id
    assert dup.volantes[0].status == "cancelado"
    assert first.status == CaseStatus.TURNADA
    assert surviving(db, dup).id == first.id
    assert [j.name for j in result.jobs] == ["notify_case_merged"]
    dup_events = [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.case_id == dup.id))]
    assert dup_events[:3] == ["registrar", "posible_duplicado", "decidir_gestion"] and dup_events[-1] == "fusionar"
    received = db.scalar(select(AuditEvent).where(AuditEvent.case_id == first.id,
                                                  AuditEvent.action == "fusion_recibida"))
    assert received.data["folio"] == dup.folio
    with pytest.raises(IllegalTransition):  # a merged case is closed
        merge_cases(db, dup, first, vin)
    third = _cobro(make, contact)
    assert third.possible_duplicate_id == first.id  # merged cases are no longer candidates
    with pytest.raises(ValidationError):  # merging into a cancelled case is refused
        merge_cases(db, first, dup, vin)
