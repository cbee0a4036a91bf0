"""Case lifecycle services: validate, apply through the transition table, audit, return jobs.

Every function takes the session and an Actor, flushes but never commits, and returns a
`Result` whose `jobs` the caller enqueues after its own commit. Here: registering a case,
deciding whether it amerita gestión, reassigning, cancelling, pausing the plazo, notes. By
subject beside it: transition.py (the one `_transition`), volantes.py (turning to an enlace),
fur.py (the FUR and its validation), review.py (accepting or sending back a FUR); their services
are also reachable from here, the one name callers use for every service of a case.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from core import audit, follow
from core.actors import Actor
from core.duplicates import candidates_for
from core.enums import AMERITA_GESTION_DEFAULT, Canal, CaseStatus, Tipo
from core.enums import VolanteStatus as VS
from core.errors import ValidationError
from core.estados import BY_CLAVE
from core.folio import next_folio
from core.jobs import Job, JobName, QueueName
from core.lifecycle import Action, CaseEvent, check_role
from core.models import Case, Note
from core.plazos import calendar
from core.services.fur import (  # noqa: F401  (re-exported: svc.save_fur, svc.FUR_LABELS...)
    FUR_FORM_FIELDS,
    FUR_LABELS,
    fur_missing_fields,
    save_fur,
)
from core.services.review import accept_fur, send_back  # noqa: F401  (re-exported)
from core.services.transition import Result, _transition
from core.services.volantes import _open_volante, enlace_for, turn_to_enlace
from core.text.money import parse_amount
from core.timeutil import now, today_mx
from core.versions import Seen, claim_case

# The longest texts a case keeps; longer input is cut, so registering never fails on length
# (forms say the limit before that).
DESCRIPTION_MAX = 10_000
UNIDAD_MAX = 300
CONCEPTO_MAX = 300


def _monto(value) -> Decimal | None:
    try:
        return parse_amount(value)
    except ValueError:
        raise ValidationError("Monto: escribe una cantidad en pesos, por ejemplo 1500.00.",
                              fields={"monto": "inválido"}) from None


def register_case(
    session: Session,
    actor: Actor,
    *,
    tipo: str,
    canal: str,
    description: str,
    estado_clave: str | None = None,
    contact=None,
    unidad: str | None = None,
    fecha_hechos: date | None = None,
    fecha_hechos_texto: str | None = None,
    monto=None,
    concepto: str | None = None,
    curp: str | None = None,
    contacto_nombre: str | None = None,
    contacto_telefono: str | None = None,
    contacto_email: str | None = None,
    external_ref: str | None = None,
    topic: str | None = None,
    amerita_gestion: bool | None = None,
    route: bool = True,
    confidencial: bool = False,
    follow_code: bool = False,
) -> Result:
    """Register a contact in the base de datos única; with `route`, decide and turn at once.
    `confidencial`: the affiliate asked that the unit not learn who they are; `follow_code`: make
    the public follow page's code (core.follow), returned once in `Result.follow_code`."""
    check_role(Action.REGISTRAR, actor.role)
    if tipo not in Tipo.__members__.values():
        raise ValidationError("El tipo de solicitud no es válido.", fields={"tipo": "inválido"})
    if canal not in Canal.__members__.values():
        raise ValidationError("El canal no es válido.", fields={"canal": "inválido"})
    if estado_clave is not None and estado_clave not in BY_CLAVE:
        raise ValidationError("El estado no es válido.", fields={"estado": "inválido"})
    description = (description or "").strip()
    if not description:
        raise ValidationError("Describe lo que pasó.", fields={"description": "requerido"})
    created = now()
    case = Case(
        folio=next_folio(session, today_mx(created).year),
        tipo=tipo,
        canal=canal,
        estado_clave=estado_clave,
        contact_id=contact.id if contact is not None else None,
        status=CaseStatus.REGISTRADA,
        description=description[:DESCRIPTION_MAX],
        unidad=(unidad or None) and unidad[:UNIDAD_MAX],
        fecha_hechos=fecha_hechos,
        fecha_hechos_texto=fecha_hechos_texto,
        monto=_monto(monto),
        concepto=(concepto or None) and concepto[:CONCEPTO_MAX],
        curp=(curp or None) and curp.upper()[:18],
        contacto_nombre=contacto_nombre,
        contacto_telefono=contacto_telefono,
        contacto_email=contacto_email,
        external_ref=external_ref,
        topic=topic,
        ronda=1,
        version=1,
        confidencial=bool(confidencial),
        created_by_id=actor.id,
        created_at=created,
        updated_at=created,
    )
    session.add(case)
    session.flush()
    audit.record(
        session, actor, Action.REGISTRAR, case=case, to_status=CaseStatus.REGISTRADA,
        data={"tipo": tipo, "canal": canal, "estado": estado_clave, **({"confidencial": True} if confidencial else {})},
    )
    _flag_duplicate(session, case, actor)
    result = Result(case, follow_code=follow.issue(case) if follow_code else None)
    if route:
        amerita = AMERITA_GESTION_DEFAULT[Tipo(tipo)] if amerita_gestion is None else amerita_gestion
        result.jobs += decide_amerita_gestion(session, case, actor, amerita).jobs
    return result


def decide_amerita_gestion(
    session: Session, case: Case, actor: Actor, amerita: bool, *, reason: str | None = None,
    instructions: str = "",
) -> Result:
    """No → atendida (closed); yes → turned to the state's enlace when the estado is known."""
    _transition(session, case, Action.DECIDIR_GESTION, actor, reason=reason, data={"amerita": amerita})
    case.amerita_gestion = amerita
    if not amerita:
        _transition(session, case, Action.ATENDER, actor, reason=reason)
        case.closed_at = now()
        return Result(case)
    if case.estado_clave is None:
        return Result(case)  # waits in registrada until vinculación sets the estado
    return turn_to_enlace(session, case, actor, instructions=instructions)


def reassign_estado(session: Session, case: Case, actor: Actor, estado_clave: str, reason: str, *,
                    seen: Seen | None = None) -> Result:
    """Portabilidad: the affiliate was attended in another state."""
    reason = (reason or "").strip()
    if estado_clave not in BY_CLAVE:
        raise ValidationError("El estado no es válido.", fields={"estado": "inválido"})
    if not reason:
        raise ValidationError("Escribe el motivo de la reasignación.", fields={"reason": "requerido"})
    if estado_clave == case.estado_clave:
        raise ValidationError("El caso ya está en ese estado.", fields={"estado": "igual"})
    previous = case.estado_clave
    _transition(session, case, Action.REASIGNAR, actor, reason=reason,
                data={"de": previous, "a": estado_clave}, seen=seen)
    case.estado_clave = estado_clave
    for earlier in case.volantes:  # the report counts the case's conclusions under its current estado
        earlier.case_estado_clave = estado_clave
    jobs: list[Job] = []
    volante = case.open_volante
    if volante is not None:
        volante.status = VS.CANCELADO
        volante.closed_at = now()
        enlace = enlace_for(session, estado_clave)
        nuevo = _open_volante(session, case, actor, numero=volante.numero + 1, enlace=enlace,
                              instructions=f"Reasignado desde otro estado: {reason}", devolucion=False)
        jobs.append(Job(JobName.NOTIFY_VOLANTE_REASSIGNED, {"volante_id": nuevo.id}, QueueName.DEFAULT))
    elif case.amerita_gestion:
        jobs += turn_to_enlace(session, case, actor).jobs
    return Result(case, jobs)


def cancel_case(session: Session, case: Case, actor: Actor, reason: str, *, seen: Seen | None = None) -> Result:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Escribe el motivo de la cancelación.", fields={"reason": "requerido"})
    _transition(session, case, Action.CANCELAR, actor, reason=reason, seen=seen)
    volante = case.open_volante
    if volante is not None:
        volante.status = VS.CANCELADO
        volante.closed_at = now()
    case.closed_at = now()
    return Result(case)


def pause_clock(session: Session, case: Case, actor: Actor, reason: str) -> Result:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Escribe por qué se pausa el plazo.", fields={"reason": "requerido"})
    volante = case.open_volante
    if volante is None or volante.paused_at is not None:
        raise ValidationError("No hay un plazo corriendo que pausar.")
    _transition(session, case, Action.PAUSAR, actor, reason=reason, data={"volante": volante.numero})
    volante.paused_at = now()
    volante.pause_reason = reason
    return Result(case)


def resume_clock(session: Session, case: Case, actor: Actor) -> Result:
    """The due date moves forward by the business days the clock was paused."""
    volante = case.open_volante
    if volante is None or volante.paused_at is None:
        raise ValidationError("El plazo no está pausado.")
    cal = calendar(session)
    paused_days = cal.between(today_mx(volante.paused_at), today_mx())
    _transition(session, case, Action.REANUDAR, actor, data={"volante": volante.numero, "dias": paused_days})
    volante.due_date = cal.add(volante.due_date, paused_days) if paused_days else volante.due_date
    volante.paused_at = None
    volante.pause_reason = None
    return Result(case)


NOTE_MAX = 5000


def add_note(session: Session, case: Case, actor: Actor, body: str, *, seen: Seen | None = None) -> Result:
    """An internal note; it claims the case's next version like any change, so a note written
    over a case that changed meanwhile is refused with what changed (and the text kept)."""
    body = (body or "").strip()
    if not body:
        raise ValidationError("Escribe el texto de la nota.", fields={"body": "requerido"})
    if len(body) > NOTE_MAX:
        raise ValidationError(f"La nota es demasiado larga (máximo {NOTE_MAX} caracteres).", fields={"body": "largo"})
    claim_case(session, case, seen)
    session.add(Note(case_id=case.id, author_id=actor.id, body=body))
    audit.record(session, actor, CaseEvent.NOTA, case=case)
    return Result(case)


def _flag_duplicate(session: Session, case: Case, actor: Actor) -> None:
    """Registration: remember the newest earlier case this one resembles (core.duplicates)."""
    found = candidates_for(session, case)
    if not found:
        return
    case.possible_duplicate_id = found[0].id
    audit.record(session, actor, CaseEvent.POSIBLE_DUPLICADO, case=case,
                 data={"folios": [c.folio for c in found]})
