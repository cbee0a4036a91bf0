"""Vinculación's decision on a filed FUR: accept it (the case concludes) or send it back
(ampliar gestión: a new round to the same enlace, its FUR a draft copied from this one)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.actors import Actor
from core.enums import ReviewDecision
from core.enums import VolanteStatus as VS
from core.errors import IllegalTransition, ValidationError
from core.jobs import Job, JobName, QueueName
from core.lifecycle import Action, check_role
from core.models import Case, Review, Volante
from core.services.fur import fur_missing_fields
from core.services.rounds import carry_forward
from core.services.transition import Result, _transition
from core.services.volantes import _open_volante
from core.timeutil import now
from core.versions import Seen, claim_case


def accept_fur(session: Session, case: Case, actor: Actor, *, seen: Seen | None = None) -> Result:
    check_role(Action.ACEPTAR, actor.role)
    claim_case(session, case, seen)  # a colleague's decision first: refused as stale, not as illegal
    volante = _answered_volante(case)
    missing = fur_missing_fields(volante.fur, case.tipo)
    if missing:
        raise ValidationError("El FUR está incompleto: devuélvelo al enlace con el motivo.")
    _transition(session, case, Action.ACEPTAR, actor, data={"volante": volante.numero})
    session.add(Review(volante_id=volante.id, fur_id=volante.fur.id, decision=ReviewDecision.ACEPTADA,
                       reviewer_id=actor.id))
    volante.status = VS.ACEPTADO
    volante.closed_at = now()
    case.closed_at = volante.closed_at
    return Result(case, [Job(JobName.NOTIFY_CASE_CONCLUDED, {"case_id": case.id}, QueueName.DEFAULT)])


def send_back(session: Session, case: Case, actor: Actor, reason: str, *, seen: Seen | None = None) -> Result:
    """Ampliar gestión: close this round and open the next one to the same enlace, its FUR a
    draft copied from this one (core.services.rounds)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Escribe el motivo de la devolución.", fields={"reason": "requerido"})
    check_role(Action.DEVOLVER, actor.role)
    claim_case(session, case, seen)
    volante = _answered_volante(case)
    _transition(session, case, Action.DEVOLVER, actor, reason=reason, data={"volante": volante.numero})
    session.add(Review(volante_id=volante.id, fur_id=volante.fur.id, decision=ReviewDecision.DEVUELTA,
                       reason=reason, reviewer_id=actor.id))
    volante.status = VS.DEVUELTO
    volante.closed_at = now()
    nuevo = _open_volante(session, case, actor, numero=volante.numero + 1, enlace=volante.enlace,
                          instructions=reason, devolucion=True)
    carry_forward(session, volante, nuevo)  # the next round starts from this one (docs/rounds.md)
    return Result(case, [Job(JobName.NOTIFY_VOLANTE_RETURNED, {"volante_id": nuevo.id}, QueueName.DEFAULT)])


def _answered_volante(case: Case) -> Volante:
    volante = case.open_volante
    if volante is None or volante.status != VS.RESPONDIDO or volante.fur is None:
        raise IllegalTransition("El caso no tiene un FUR pendiente de revisión.")
    return volante
