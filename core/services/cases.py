"""Case lifecycle services: validate, apply through the transition table, audit, return jobs.

Every function takes the session and an Actor, flushes but never commits, and returns a
`Result` whose `jobs` the caller enqueues after its own commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit, follow
from core.actors import Actor
from core.duplicates import candidates_for
from core.enums import (
    AMERITA_GESTION_DEFAULT,
    Canal,
    CaseStatus,
    Resultado,
    ReviewDecision,
    Role,
    Tipo,
)
from core.enums import VolanteStatus as VS
from core.errors import PermissionDenied, ValidationError
from core.estados import BY_CLAVE
from core.folio import next_folio
from core.jobs import Job, JobName, QueueName
from core.lifecycle import Action, CaseEvent, check_role, next_status
from core.models import Case, Fur, Note, Review, User, Volante
from core.plazos import calendar, plazo_for
from core.text.money import monto_in_range
from core.timeutil import now, today_mx
from core.versions import Seen, claim_case, claim_fur


@dataclass
class Result:
    case: Case
    jobs: list[Job] = field(default_factory=list)
    follow_code: str | None = None  # registration with follow_code=True: the code, in clear, to show once


def _transition(session: Session, case: Case, action: Action, actor: Actor, *, reason=None, data=None,
                seen: Seen | None = None):
    """Apply `action` through the table, claim the case's next version (StaleVersion when the
    caller's form was rendered from an older one) and record the audit event."""
    check_role(action, actor.role)
    claim_case(session, case, seen)
    before = case.status
    after = next_status(before, action)
    case.status = after
    audit.record(
        session, actor, action, case=case, from_status=before, to_status=after, reason=reason, data=data
    )
    return after


def _money(value, label: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{label}: escribe una cantidad en pesos.", fields={label: "inválido"})
    if not monto_in_range(amount):
        raise ValidationError(f"{label}: la cantidad está fuera de rango.", fields={label: "rango"})
    return amount


def _date(value, label: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(f"{label}: escribe una fecha válida (AAAA-MM-DD).", fields={label: "inválido"})


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
        description=description[:10000],
        unidad=(unidad or None) and unidad[:300],
        fecha_hechos=fecha_hechos,
        fecha_hechos_texto=fecha_hechos_texto,
        monto=_money(monto, "monto"),
        concepto=(concepto or None) and concepto[:300],
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


def enlace_for(session: Session, estado_clave: str) -> User | None:
    """The state's enlace with the fewest open volantes (several enlaces share the load)."""
    from sqlalchemy import func

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


FUR_FIELDS = ("fecha_respuesta", "acciones", "respuesta_ciudadano", "resultado")
FUR_FIELDS_COBRO = ("monto_reclamado", "monto_reembolsado")
FUR_LABELS = {
    "fecha_respuesta": "fecha de respuesta",
    "acciones": "acciones realizadas",
    "respuesta_ciudadano": "respuesta al ciudadano",
    "resultado": "resultado",
    "monto_reclamado": "monto reclamado",
    "monto_reembolsado": "monto reembolsado",
    "fecha_reembolso": "fecha de reembolso",
}


def fur_missing_fields(fur: Fur, tipo: str) -> list[str]:
    """Names of the required fields still empty for this tipo (DOMAIN.md §5)."""
    required = list(FUR_FIELDS)
    if tipo == Tipo.COBRO_INJUSTIFICADO:
        required += FUR_FIELDS_COBRO
        if fur.monto_reembolsado and fur.monto_reembolsado > 0:
            required.append("fecha_reembolso")
    missing = []
    for name in required:
        value = getattr(fur, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append(name)
    return missing


def _check_enlace_scope(actor: Actor, volante: Volante) -> None:
    if actor.role == Role.ENLACE and actor.estado_clave != volante.estado_clave:
        raise PermissionDenied("Este volante no pertenece a tu estado.")


FUR_FORM_FIELDS = ("fecha_respuesta", "acciones", "respuesta_ciudadano", "resultado", "monto_reclamado",
                   "monto_reembolsado", "fecha_reembolso")


def save_fur(session: Session, volante: Volante, actor: Actor, data: dict, *, submit: bool,
             seen: Seen | None = None) -> Result:
    """Save a draft, or file the FUR (submit) which moves the case to respondida. `seen.version`
    is the draft's version the form was rendered from (0: there was no draft yet)."""
    check_role(Action.RESPONDER, actor.role)
    _check_enlace_scope(actor, volante)
    case = volante.case
    if volante.status != VS.ABIERTO:
        raise ValidationError("Este volante ya no admite respuesta.")
    fur = volante.fur
    if fur is None:
        fur = Fur(volante_id=volante.id, case_id=case.id, is_draft=True, version=1, updated_by_id=actor.id)
        session.add(fur)
        volante.fur = fur
    else:
        claim_fur(session, fur, None if seen is None else Seen(seen.version), data, FUR_FORM_FIELDS)
        fur.updated_by_id = actor.id
    for name in ("acciones", "respuesta_ciudadano"):
        if name in data:
            setattr(fur, name, (data[name] or "").strip() or None)
    if "resultado" in data:
        res = data["resultado"] or None
        if res is not None and res not in Resultado.__members__.values():
            raise ValidationError("El resultado no es válido.", fields={"resultado": "inválido"})
        fur.resultado = res
    for name in ("fecha_respuesta", "fecha_reembolso"):
        if name in data:
            setattr(fur, name, _date(data[name], FUR_LABELS[name]))
    for name in ("monto_reclamado", "monto_reembolsado"):
        if name in data:
            setattr(fur, name, _money(data[name], FUR_LABELS[name]))
    if (fur.monto_reembolsado is not None and fur.monto_reclamado is not None
            and fur.monto_reembolsado > fur.monto_reclamado):
        raise ValidationError("El monto reembolsado no puede ser mayor que el reclamado.",
                              fields={"monto_reembolsado": "rango"})
    session.flush()
    if not submit:
        return Result(case)
    missing = fur_missing_fields(fur, case.tipo)
    if missing:
        names = ", ".join(FUR_LABELS[m] for m in missing)
        raise ValidationError(f"Faltan datos obligatorios del FUR: {names}.",
                              fields={m: "requerido" for m in missing})
    from core.services.affiliate_contact import close_open_requests  # imports this module
    from core.review_clock import review_due_date

    close_open_requests(session, actor, case, "Se envió el FUR antes de recibir la respuesta.")
    _transition(session, case, Action.RESPONDER, actor, data={"volante": volante.numero, "fur_id": fur.id})
    fur.is_draft = False
    fur.filed_by_id = actor.id
    fur.filed_at = now()
    volante.status = VS.RESPONDIDO
    volante.answered_at = fur.filed_at
    volante.review_due_date = review_due_date(session, fur.filed_at)  # the national review's clock
    volante.first_answer = not any(v.answered_at is not None for v in case.volantes if v is not volante)
    return Result(case, [Job(JobName.NOTIFY_FUR_FILED, {"volante_id": volante.id}, QueueName.DEFAULT)])


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
    from core.services.rounds import carry_forward  # rounds imports this module's names

    carry_forward(session, volante, nuevo)  # the next round starts from this one (docs/rounds.md)
    return Result(case, [Job(JobName.NOTIFY_VOLANTE_RETURNED, {"volante_id": nuevo.id}, QueueName.DEFAULT)])


def _answered_volante(case: Case) -> Volante:
    volante = case.open_volante
    if volante is None or volante.status != VS.RESPONDIDO or volante.fur is None:
        from core.errors import IllegalTransition

        raise IllegalTransition("El caso no tiene un FUR pendiente de revisión.")
    return volante


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
