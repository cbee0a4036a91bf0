"""Turning a case to its estado: which enlace takes it (the least loaded, or the one chosen),
the new volante with its plazo and due date in business days, and the enlace's notice."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.actors import Actor
from core.enums import Role
from core.enums import VolanteStatus as VS
from core.errors import ValidationError
from core.jobs import Job, JobName, QueueName
from core.lifecycle import Action
from core.models import Case, User, Volante
from core.plazos import calendar, plazo_for
from core.services.transition import Result, _transition
from core.timeutil import now, today_mx


def enlace_for(session: Session, estado_clave: str) -> User | None:
    """The state's enlace with the fewest open volantes (several enlaces share the load)."""
    open_count = (
        select(func.count(Volante.id))
        .where(Volante.enlace_id == User.id, Volante.status.in_([VS.ABIERTO, VS.RESPONDIDO]))
        .scalar_subquery()
    )
    return session.scalars(
        select(User)
        .where(User.role == Role.ENLACE, User.estado_clave == estado_clave, User.active.is_(True))
        .order_by(open_count, User.id)
        .limit(1)
    ).first()


def _open_volante(session: Session, case: Case, actor: Actor, *, numero: int, enlace: User | None,
                  instructions: str, devolucion: bool) -> Volante:
    plazo = plazo_for(session, case.tipo, devolucion=devolucion)
    sent = now()
    volante = Volante(
        numero=numero,
        estado_clave=case.estado_clave,
        enlace_id=enlace.id if enlace else None,
        instructions=instructions or "",
        status=VS.ABIERTO,
        plazo_dias=plazo,
        sent_at=sent,
        due_date=calendar(session).add(today_mx(sent), plazo),
        turned_by_id=actor.id,
        ronda=case.ronda or 1,
        canal=case.canal,
        tipo=case.tipo,
        case_estado_clave=case.estado_clave,
    )
    previous = case.volantes[-1] if case.volantes else None
    case.volantes.append(volante)
    session.flush()
    case.current_volante_id = volante.id
    # the round's first volante: the previous one's when it belongs to the same round
    same_round = previous is not None and previous.ronda == volante.ronda
    volante.round_first_id = (previous.round_first_id or previous.id) if same_round else volante.id
    return volante


def turn_to_enlace(session: Session, case: Case, actor: Actor, *, enlace_id: int | None = None,
                   instructions: str = "") -> Result:
    if not case.amerita_gestion:
        raise ValidationError("Primero decide que el caso amerita gestión.")
    if case.estado_clave is None:
        raise ValidationError("El caso no tiene estado: asígnalo antes de turnar.", fields={"estado": "requerido"})
    enlace = _pick_enlace(session, case.estado_clave, enlace_id)
    _transition(session, case, Action.TURNAR, actor, data={"enlace_id": enlace.id if enlace else None})
    numero = len(case.volantes) + 1
    volante = _open_volante(session, case, actor, numero=numero, enlace=enlace,
                            instructions=instructions, devolucion=False)
    return Result(case, [
        Job(JobName.NOTIFY_VOLANTE_OPENED, {"volante_id": volante.id}, QueueName.DEFAULT),
    ])


def _pick_enlace(session: Session, estado_clave: str, enlace_id: int | None) -> User | None:
    if enlace_id is None:
        return enlace_for(session, estado_clave)
    enlace = session.get(User, enlace_id)
    if enlace is None or enlace.role != Role.ENLACE or enlace.estado_clave != estado_clave:
        raise ValidationError("El enlace elegido no corresponde al estado del caso.", fields={"enlace": "inválido"})
    return enlace
