"""Reopen a closed case for a new round on the same folio (issue 17 item 1, docs/reopen.md).

- Vinculación reopens a concluida or atendida case with a reason.
- The affiliate reopens their own case through the bot (`reopen_by_affiliate`) within
  `window_days` business days after it was closed (Setting `reapertura_dias_habiles`, default
  DEFAULT_WINDOW_DAYS): after a low survey score, "no se resolvió", or when writing again soon.

A concluded case goes back to an enlace at once (the enlace of its last accepted round when still
active in that estado, else the least loaded one) with a fresh plazo for its tipo; an attended
case (it never had a volante) goes back to registrada with amerita gestión, and is turned at once
when its estado is known. Each reopening is a Reopening row (the monthly report counts them), an
audit event, a new `ronda` on the case and its volantes, and a `notify_case_reopened` job.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actors import BOT, Actor
from core.duplicates import surviving
from core.enums import CaseStatus, Role
from core.errors import NotFound, ValidationError
from core.jobs import Job, JobName, QueueName
from core.lifecycle import Action
from core.models import Case, Reopening, User
from core.plazos import calendar, days_setting
from core.services.transition import Result, _transition
from core.services.volantes import _open_volante, enlace_for, turn_to_enlace
from core.timeutil import now, today_mx
from core.versions import Seen

DEFAULT_WINDOW_DAYS = 10
WINDOW_SETTING = "reapertura_dias_habiles"
REASON_MAX = 2000
CLOSED = (CaseStatus.CONCLUIDA, CaseStatus.ATENDIDA)
AFFILIATE_REASON = "La persona afiliada indicó que su asunto no se resolvió."
# Survey scores after which the bot offers to reopen (besides "no se resolvió").
OFFER_AFTER_SCORES = frozenset({1, 2})


def window_days(session: Session) -> int:
    return days_setting(session, WINDOW_SETTING, DEFAULT_WINDOW_DAYS)


def business_days_since_closed(session: Session, case: Case) -> int | None:
    if case.closed_at is None:
        return None
    return calendar(session).between(today_mx(case.closed_at), today_mx())


def within_window(session: Session, case: Case) -> bool:
    days = business_days_since_closed(session, case)
    return case.status in CLOSED and days is not None and days <= window_days(session)


def reopen_case(session: Session, case: Case, actor: Actor, reason: str, *, seen: Seen | None = None,
                by_affiliate: bool = False) -> Result:
    """Open round `case.ronda + 1` on the same folio (the caller commits, then enqueues the jobs)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("Escribe el motivo de la reapertura.", fields={"reason": "requerido"})
    if len(reason) > REASON_MAX:
        raise ValidationError(f"El motivo es demasiado largo (máximo {REASON_MAX} caracteres).",
                              fields={"reason": "largo"})
    before = case.status
    ronda = (case.ronda or 1) + 1
    _transition(session, case, Action.REABRIR, actor, reason=reason,
                data={"ronda": ronda, "por_afiliado": by_affiliate}, seen=seen)
    case.ronda = ronda
    session.add(Reopening(case_id=case.id, ronda=ronda, from_status=before, by_affiliate=by_affiliate,
                          reason=reason, actor_id=actor.id, closed_at=case.closed_at, created_at=now()))
    case.closed_at = None
    jobs: list[Job] = []
    instructions = f"Reapertura (ronda {ronda}): {reason}"
    if before == CaseStatus.CONCLUIDA:
        last = case.volantes[-1] if case.volantes else None
        enlace = _previous_enlace(session, case, last)
        volante = _open_volante(session, case, actor, numero=len(case.volantes) + 1, enlace=enlace,
                                instructions=instructions, devolucion=False)
        jobs.append(Job(JobName.NOTIFY_CASE_REOPENED, {"case_id": case.id, "volante_id": volante.id}, QueueName.DEFAULT))
        return Result(case, jobs)
    # atendida: it was answered directly; now it needs gestión
    case.amerita_gestion = True
    volante_id = None
    if case.estado_clave is not None:
        # Its notify_volante_opened job is left out: it would greet a new folio; the reopen
        # notice tells the affiliate and the enlace instead.
        turn_to_enlace(session, case, actor, instructions=instructions)
        volante_id = case.current_volante_id
    jobs.append(Job(JobName.NOTIFY_CASE_REOPENED, {"case_id": case.id, "volante_id": volante_id}, QueueName.DEFAULT))
    return Result(case, jobs)


def _previous_enlace(session: Session, case: Case, last) -> User | None:
    enlace = last.enlace if last is not None else None
    if (enlace is not None and enlace.active and enlace.role == Role.ENLACE
            and enlace.estado_clave == case.estado_clave):
        return enlace
    return enlace_for(session, case.estado_clave) if case.estado_clave else None


# ---- the affiliate, through the bot ---------------------------------------------------------

def reopenable_case(session: Session, contact, folio: str | None = None) -> Case | None:
    """The case this contact may reopen: the one with `folio` (following merges), else their most
    recently closed one; None when there is none within the window."""
    if folio:
        case = session.scalar(select(Case).where(Case.folio == folio.strip().upper()))
        if case is None:
            return None
        case = surviving(session, case)
        if case.contact_id != contact.id:
            return None
        return case if within_window(session, case) else None
    rows = session.scalars(
        select(Case).where(Case.contact_id == contact.id, Case.status.in_(CLOSED), Case.closed_at.is_not(None),
                           Case.merged_into_id.is_(None))
        .order_by(Case.closed_at.desc(), Case.id.desc()).limit(5))
    for case in rows:
        if within_window(session, case):
            return case
    return None


def reopen_by_affiliate(session: Session, contact, *, folio: str | None = None,
                        reason: str | None = None) -> Result:
    """The affiliate asked (through the bot) to reopen their case. Only their own case, only
    within the window; otherwise NotFound / ValidationError with a message fit to send them."""
    case = reopenable_case(session, contact, folio)
    if case is None:
        if folio:
            found = session.scalar(select(Case).where(Case.folio == folio.strip().upper()))
            if found is not None and surviving(session, found).contact_id == contact.id:
                raise ValidationError(
                    f"Tu folio {found.folio} ya no se puede reabrir: cerró hace más de "
                    f"{window_days(session)} días hábiles o sigue en trámite. Si quieres, registramos "
                    "una nueva solicitud.")
        raise NotFound("No encontramos un folio tuyo que se pueda reabrir.")
    text = " ".join((reason or "").split())
    why = f"{AFFILIATE_REASON} Dijo: «{text[:REASON_MAX - 100]}»" if text else AFFILIATE_REASON
    return reopen_case(session, case, BOT, why, by_affiliate=True)

