"""Every allowed and forbidden transition of DOMAIN.md §4, through the services."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from core.actors import BOT, Actor
from core.enums import CaseStatus, Role
from core.errors import IllegalTransition, PermissionDenied, ValidationError
from core.lifecycle import TRANSITIONS, Action, allowed_actions, next_status
from core.models import AuditEvent, Review
from core.services import cases as svc

ALL_STATUSES = [None, *CaseStatus]


@pytest.mark.parametrize("status,action", list(itertools.product(ALL_STATUSES, Action)))
def test_transition_table_is_total_and_strict(status, action):
    if (status, action) in TRANSITIONS:
        assert next_status(status, action) == TRANSITIONS[(status, action)]
    else:
        with pytest.raises(IllegalTransition) as exc:
            next_status(status, action)
        assert "No se puede" in exc.value.message


def test_closed_statuses_allow_only_reopen_and_cancelled_nothing():
    """Issue 17: concluida and atendida can be reopened (a new round); cancelada stays terminal."""
    for status in (CaseStatus.ATENDIDA, CaseStatus.CONCLUIDA):
        assert allowed_actions(status) == [Action.REABRIR]
    assert next_status(CaseStatus.CONCLUIDA, Action.REABRIR) == CaseStatus.TURNADA
    assert next_status(CaseStatus.ATENDIDA, Action.REABRIR) == CaseStatus.REGISTRADA
    assert allowed_actions(CaseStatus.CANCELADA) == []


def test_queja_from_bot_is_turned_to_the_state_enlace(make, db):
    enlace = make.enlace("14")
    case = make.case("queja", "14")
    assert case.status == CaseStatus.TURNADA
    assert case.amerita_gestion is True
    assert [v.numero for v in case.volantes] == [1]
    assert case.volantes[0].enlace_id == enlace.id
    assert case.volantes[0].estado_clave == "14"
    actions = [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id))]
    assert actions == ["registrar", "decidir_gestion", "turnar"]


def test_register_returns_notification_job_after_turn(make, db):
    result = svc.register_case(db, BOT, tipo="cobro_injustificado", canal="sms", estado_clave="09",
                               description="me cobraron la consulta", monto="350")
    assert [j.name for j in result.jobs] == ["notify_volante_opened"]
    assert result.jobs[0].kwargs == {"volante_id": result.case.volantes[0].id}
    assert str(result.case.monto) == "350.00"


def test_consulta_cobertura_is_attended_directly(make):
    case = make.case("consulta_cobertura", "14")
    assert case.status == CaseStatus.ATENDIDA
    assert case.closed_at is not None
    assert case.volantes == []


def test_case_without_estado_waits_in_registrada(make, db):
    case = make.case("queja", None)
    assert case.status == CaseStatus.REGISTRADA
    vin = make.actor(make.user(Role.VINCULACION))
    with pytest.raises(ValidationError):
        svc.turn_to_enlace(db, case, vin)
    case.estado_clave = "20"
    svc.reassign_estado  # noqa: B018  (reassign is tested below)
    result = svc.turn_to_enlace(db, case, vin, instructions="Atender")
    assert case.status == CaseStatus.TURNADA
    assert result.jobs[0].name == "notify_volante_opened"


def test_full_round_trip_with_send_back(make, db):
    enlace = make.enlace("14")
    vin = make.actor(make.user(Role.VINCULACION))
    case = make.filed_case("cobro_injustificado", "14", monto=500)
    assert case.status == CaseStatus.RESPONDIDA
    result = svc.send_back(db, case, vin, "Falta la fecha del reembolso en la respuesta")
    assert case.status == CaseStatus.TURNADA
    assert [(v.numero, v.status) for v in case.volantes] == [(1, "devuelto"), (2, "abierto")]
    assert case.volantes[1].plazo_dias == 5
    assert case.volantes[1].enlace_id == enlace.id
    assert result.jobs[0].name == "notify_volante_returned"
    # the affiliate hears nothing on a send-back: no affiliate-facing job
    assert all(j.name != "notify_case_concluded" for j in result.jobs)
    svc.save_fur(db, case.volantes[1], make.actor(enlace),
                 make.fur_data(monto_reclamado=500, monto_reembolsado=500, fecha_reembolso="2026-11-20"),
                 submit=True)
    result = svc.accept_fur(db, case, vin)
    assert case.status == CaseStatus.CONCLUIDA
    assert case.closed_at is not None
    assert [j.name for j in result.jobs] == ["notify_case_concluded"]
    decisions = [r.decision for r in db.scalars(select(Review).order_by(Review.id))]
    assert decisions == ["devuelta", "aceptada"]


def test_send_back_requires_reason(make, db):
    make.enlace("14")
    vin = make.actor(make.user(Role.VINCULACION))
    case = make.filed_case()
    with pytest.raises(ValidationError):
        svc.send_back(db, case, vin, "   ")
    assert case.status == CaseStatus.RESPONDIDA


def test_fur_incomplete_is_refused_with_field_names(make, db):
    enlace = make.actor(make.enlace("14"))
    case = make.case("cobro_injustificado", "14", monto=100)
    with pytest.raises(ValidationError) as exc:
        svc.save_fur(db, case.open_volante, enlace, make.fur_data(), submit=True)
    assert "monto reclamado" in exc.value.message
    assert case.status == CaseStatus.TURNADA
    # a draft is kept without moving the case
    svc.save_fur(db, case.open_volante, enlace, {"acciones": "Llamé a la unidad"}, submit=False)
    assert case.open_volante.fur.is_draft
    assert case.open_volante.fur.acciones == "Llamé a la unidad"
    assert case.status == CaseStatus.TURNADA


def test_enlace_cannot_answer_another_states_volante(make, db):
    other = make.actor(make.enlace("20"))
    case = make.case("queja", "14")
    with pytest.raises(PermissionDenied):
        svc.save_fur(db, case.open_volante, other, make.fur_data(), submit=True)


def test_roles_are_enforced(make, db):
    enlace = make.actor(make.enlace("14"))
    dps = make.actor(make.user(Role.PARTICIPACION_SOCIAL))
    case = make.filed_case()
    for actor in (enlace, dps, BOT):
        with pytest.raises(PermissionDenied):
            svc.accept_fur(db, case, actor)
        with pytest.raises(PermissionDenied):
            svc.cancel_case(db, case, actor, "duplicado")
    assert case.status == CaseStatus.RESPONDIDA


def test_accept_without_fur_is_illegal(make, db):
    vin = make.actor(make.user(Role.VINCULACION))
    case = make.case("queja", "14")
    with pytest.raises(IllegalTransition):
        svc.accept_fur(db, case, vin)


def test_cancel_from_every_open_status_and_not_after(make, db):
    vin = make.actor(make.user(Role.VINCULACION))
    make.enlace("14")
    registrada = make.case("queja", None)
    turnada = make.case("queja", "14")
    respondida = make.filed_case()
    for case in (registrada, turnada, respondida):
        svc.cancel_case(db, case, vin, "Duplicado del folio anterior")
        assert case.status == CaseStatus.CANCELADA
        assert case.open_volante is None
        with pytest.raises(IllegalTransition):
            svc.cancel_case(db, case, vin, "otra vez")
    with pytest.raises(ValidationError):
        svc.cancel_case(db, make.case("queja", "14"), vin, "")


def test_reassign_moves_open_volante_to_new_state(make, db):
    make.enlace("14")
    oax = make.enlace("20")
    vin = make.actor(make.user(Role.VINCULACION))
    case = make.case("queja", "14")
    result = svc.reassign_estado(db, case, vin, "20", "Lo atendieron en Oaxaca (portabilidad)")
    assert case.estado_clave == "20"
    assert [(v.numero, v.status, v.estado_clave) for v in case.volantes] == [
        (1, "cancelado", "14"), (2, "abierto", "20")]
    assert case.volantes[1].enlace_id == oax.id
    assert result.jobs[0].name == "notify_volante_reassigned"
    with pytest.raises(ValidationError):
        svc.reassign_estado(db, case, vin, "99", "x")


def test_decide_no_gestion_closes_as_atendida(make, db):
    vin = make.actor(make.user(Role.VINCULACION))
    result = svc.register_case(db, vin, tipo="sugerencia", canal="oficio", estado_clave="14",
                               description="Sugerimos más horarios", route=False)
    case = result.case
    assert case.status == CaseStatus.REGISTRADA and result.jobs == []
    svc.decide_amerita_gestion(db, case, vin, False, reason="Solo informativo")
    assert case.status == CaseStatus.ATENDIDA


def test_pause_and_resume_clock(make, db):
    vin = make.actor(make.user(Role.VINCULACION))
    case = make.case("queja", "14")
    due = case.open_volante.due_date
    svc.pause_clock(db, case, vin, "Esperamos copia del recibo")
    assert case.open_volante.paused_at is not None
    with pytest.raises(ValidationError):
        svc.pause_clock(db, case, vin, "otra")
    svc.resume_clock(db, case, vin)
    assert case.open_volante.paused_at is None
    assert case.open_volante.due_date >= due


def test_invalid_register_input(db):
    for kwargs in ({"tipo": "chisme"}, {"canal": "fax"}, {"estado_clave": "77"}, {"description": "  "},
                   {"monto": "mucho"}, {"monto": "-5"}):
        base = {"tipo": "queja", "canal": "sms", "estado_clave": "14", "description": "x"}
        base.update(kwargs)
        with pytest.raises(ValidationError):
            svc.register_case(db, BOT, **base)


def test_audit_events_are_append_only(make, db):
    from core.models import AuditIsAppendOnly

    case = make.case("queja", "14")
    event = db.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)).first()
    event.reason = "edited"
    with pytest.raises(AuditIsAppendOnly):
        db.flush()
    db.rollback()
    event = db.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)).first()
    db.delete(event)
    with pytest.raises(AuditIsAppendOnly):
        db.flush()
    db.rollback()


def test_audit_records_who_when_from_to_why(make, db):
    user = make.user(Role.VINCULACION)
    vin = Actor.from_user(user)
    case = make.case("queja", "14")
    svc.cancel_case(db, case, vin, "Spam")
    db.commit()
    event = db.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id.desc())).first()
    assert (event.actor_id, event.actor_label, event.from_status, event.to_status, event.reason) == (
        user.id, user.email, "turnada", "cancelada", "Spam")
    assert event.created_at is not None


def test_scope_volantes_with_and_without_cases_joined(make, db):
    from core.access import scope_volantes
    from core.models import Case, Volante

    enlace = make.enlace("14")
    mine = make.case("queja", "14")
    make.case("queja", "20")
    alone = db.scalars(scope_volantes(select(Volante), enlace)).all()
    assert [v.case_id for v in alone] == [mine.id]
    joined = db.execute(scope_volantes(select(Volante, Case).join(Case, Case.id == Volante.case_id), enlace)).all()
    assert [c.id for _, c in joined] == [mine.id]
